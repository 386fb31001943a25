/**
 * Issue 21, input 6: addresses as RFC 5321/6531 allow, from the config file to a real smtp-server
 * in-process through the real mail sender and a real DuckDB file. A contact under .中国 written in
 * punycode, or in Unicode (made punycode), receives its email; a non-ASCII local part is sent only
 * to a server offering SMTPUTF8, otherwise it fails saying why (and `notify check` says so first);
 * the From's display name arrives whole, parentheses included (mailparser reads the message back).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import type { NotifyCheck } from '../../alerts/notify/notifyCheck.ts';
import { messageIdOf, type OutboxRow, writeOutbox } from '../../alerts/notify/outbox.ts';
import type { SendingCheck } from '../../alerts/notify/sendingCheck.ts';
import { type Config, loadConfig } from '../../core/config.ts';
import { connect, inTransaction, openWarehouse } from '../../core/db.ts';
import { createLogger } from '../../core/log.ts';
import { migrate } from '../../pipeline/migrate.ts';
import { type MailSender, startMailSender } from '../../service/mailSender.ts';
import { runEdumon, waitFor } from '../helpers/cli.ts';
import { type SmtpCatcher, startSmtpCatcher } from '../helpers/smtpCatcher.ts';

const PUNYCODE = 'jyj@xn--8uqz53c0meexy.xn--fiqs8s';
/** jyj@焦作教育.中国, as its A-labels (node -e "url.domainToASCII('焦作教育.中国')"). */
const UNICODE = 'jyj@焦作教育.中国';
const UNICODE_AS_SENT = 'jyj@xn--2qqx94c5ki6tp.xn--fiqs8s';
/** PUNYCODE as smtp-server reports it (it reads domains back as Unicode): 修武教育.中国. */
const SERVER_FORM = 'jyj@修武教育.中国';
const UTF8_LOCAL = '教育局@jiaozuo.example.cn';
const FROM = '焦作市教育局 (监测科) <edumon@jiaozuo.example.cn>';

interface World {
  dir: string;
  configFile: string;
  config: Config;
  instance: DuckDBInstance;
  conn: DuckDBConnection;
  senderConn: DuckDBConnection;
  smtp: SmtpCatcher;
  sender: MailSender;
}
const worlds: World[] = [];

/** A config file with one contact per address under the city, the server `smtp`, and the sender running on a fresh warehouse. */
async function world(name: string, emails: string[], smtpUtf8: boolean): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), `edumon-addresses-${name}-`));
  const smtp = await startSmtpCatcher({ smtpUtf8 });
  const configFile = join(dir, 'config.json');
  const contacts = emails.map((email, i) => ({ id: `c${i}`, name: `联系人 ${i}`, email }));
  writeFileSync(
    configFile,
    JSON.stringify({
      notify: { smtpUrl: smtp.url, from: FROM, smtpTimeoutMs: 5000, retryInitialMs: 100, retryMaxMs: 400, contacts: { '410800': contacts } },
    }),
  );
  const config = loadConfig({ env: { EDUMON_ENV: 'test' }, file: configFile });
  const instance = await openWarehouse(join(dir, 'warehouse.duckdb'));
  const conn = await connect(instance);
  await migrate(conn);
  const senderConn = await connect(instance);
  const sender = startMailSender({ conn: senderConn, config, log: createLogger({ level: 'error' }) });
  const w = { dir, configFile, config, instance, conn, senderConn, smtp, sender };
  worlds.push(w);
  return w;
}

/** One alert email to each of the config's city contacts, as a sweep writes them. */
async function mailEveryContact(w: World): Promise<OutboxRow[]> {
  const rows = w.config.notify.contacts['410800']!.map((c, i) => {
    const id = `addr-${i}`;
    return {
      id,
      messageId: messageIdOf(id, w.config.notify.messageIdDomain),
      contactId: c.id,
      address: c.email,
      kind: 'alerts' as const,
      subject: '【严重】焦作市 1 条新告警：无证办园',
      html: '<p>告警</p>',
      text: '告警',
      attachments: [],
      alertIds: [`alert-${i}`],
      createdAt: new Date().toISOString(),
    };
  });
  await inTransaction(w.conn, () => writeOutbox(w.conn, rows));
  w.sender.wake();
  return rows;
}

const states = async (w: World) =>
  (await w.conn.runAndReadAll('select address, state from outbox order by id')).getRowObjectsJson() as Array<{ address: string; state: string }>;

afterEach(async () => {
  for (const w of worlds.splice(0)) {
    await w.sender.stop();
    await w.smtp.stop();
    w.conn.closeSync();
    w.senderConn.closeSync();
    w.instance.closeSync();
    rmSync(w.dir, { recursive: true, force: true });
  }
});

describe('addresses as RFC 5321/6531 allow', () => {
  it('a .中国 contact in punycode or in Unicode passes the config and receives its email (at the punycode address)', async () => {
    const w = await world('idn', [PUNYCODE, UNICODE], true);
    const checked = await runEdumon(['notify', 'check', '--json'], { EDUMON_ENV: 'test', EDUMON_CONFIG: w.configFile });
    expect(checked.code, checked.stderr).toBe(0);
    const report = JSON.parse(checked.stdout) as NotifyCheck & { sending: SendingCheck };
    expect(report.regions[0]!.severities[0]!.recipients.map((r) => r.email)).toEqual([PUNYCODE, UNICODE_AS_SENT]);
    // A test server without TLS: a note, not a problem.
    expect(report.sending.problems).toEqual([]);
    expect(report.sending.notes).toEqual([expect.stringContaining('emails travel in clear (EDUMON_SMTP_REQUIRE_TLS=true refuses it)')]);

    await mailEveryContact(w);
    await waitFor(() => w.smtp.accepted.length >= 2, 30_000, 'both emails accepted');
    // smtp-server reads a punycode domain back as Unicode: the mailboxes, each accepted once.
    expect(w.smtp.rcpts).toEqual([SERVER_FORM, UNICODE]);
    expect(w.smtp.accepted.map((m) => m.to)).toEqual([[SERVER_FORM], [UNICODE]]);
    // What was sent: the A-labels, in the header as on the envelope.
    expect(w.smtp.accepted.map((m) => /^To: (.*)$/m.exec(m.raw)?.[1])).toEqual([PUNYCODE, UNICODE_AS_SENT]);
    await waitFor(async () => (await states(w)).every((r) => r.state === 'sent'), 15_000, 'both recorded sent');
  });

  it('the From display name arrives whole, parentheses and all', async () => {
    const w = await world('from', [PUNYCODE], true);
    await mailEveryContact(w);
    await waitFor(() => w.smtp.accepted.length >= 1, 30_000, 'the email accepted');
    const parsed = await simpleParser(w.smtp.accepted[0]!.raw);
    expect(parsed.from?.value).toEqual([{ name: '焦作市教育局 (监测科)', address: 'edumon@jiaozuo.example.cn' }]);
  });

  it('a non-ASCII local part goes to a server offering SMTPUTF8', async () => {
    const w = await world('utf8', [UTF8_LOCAL], true);
    await mailEveryContact(w);
    await waitFor(() => w.smtp.accepted.length >= 1, 30_000, 'the email accepted');
    expect(w.smtp.accepted[0]!.to).toEqual([UTF8_LOCAL]);
  });

  it('a non-ASCII local part is refused with its reason when the server offers no SMTPUTF8; notify check says so first', async () => {
    const w = await world('no-utf8', [UTF8_LOCAL, PUNYCODE], false);
    const checked = await runEdumon(['notify', 'check', '--json'], { EDUMON_ENV: 'test', EDUMON_CONFIG: w.configFile });
    expect(checked.code, checked.stderr).toBe(1);
    const sending = (JSON.parse(checked.stdout) as { sending: SendingCheck }).sending;
    expect(sending.probe?.smtpUtf8).toBe(false);
    expect(sending.problems).toEqual([
      `${UTF8_LOCAL}: @ 前含非 ASCII 字符，服务器不支持 SMTPUTF8，无法发送 / the part before the @ is not ASCII and ${w.smtp.url} does not offer SMTPUTF8 (RFC 6531)`,
    ]);

    await mailEveryContact(w);
    await waitFor(async () => (await states(w)).every((r) => r.state !== 'pending'), 30_000, 'both emails settled');
    expect(await states(w)).toEqual([
      { address: UTF8_LOCAL, state: 'failed' },
      { address: PUNYCODE, state: 'sent' },
    ]);
    const reply = (await w.conn.runAndReadAll(`select reply from outbox_attempts where outbox_id = 'addr-0'`)).getRowObjectsJson() as Array<{ reply: string }>;
    expect(reply).toHaveLength(1);
    expect(reply[0]!.reply).toContain('the part before the @ is not ASCII and the SMTP server does not offer SMTPUTF8 (RFC 6531)');
    // Nothing of it reached the server: no RCPT for the address it could not take.
    expect(w.smtp.rcpts).toEqual([SERVER_FORM]);
  });
});

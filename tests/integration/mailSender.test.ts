/**
 * The outbox and the SMTP sender against a real smtp-server in-process and a real DuckDB file:
 * every email is accepted exactly once per (recipient, Message-ID) through a server restart, a
 * reply that never comes, a refused recipient and a 451; a refusal opens DQ-NOTIFY-FAILED naming
 * the contact, never the address. The last test SIGKILLs `edumon run` with emails it could not
 * send and restarts it with the server up.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NOTIFY_FAILED } from '../../alerts/notify/notifyFailed.ts';
import { messageIdOf, type OutboxRow, writeOutbox } from '../../alerts/notify/outbox.ts';
import { sendEmail } from '../../alerts/notify/smtp.ts';
import { notifyCmd } from '../../bin/commands/notify.ts';
import { runCommand } from '../../core/cli.ts';
import { loadConfig } from '../../core/config.ts';
import { connect, inTransaction, openWarehouse } from '../../core/db.ts';
import { EdumonError, UsageError } from '../../core/errors.ts';
import { createLogger } from '../../core/log.ts';
import { migrate } from '../../pipeline/migrate.ts';
import { type MailSender, startMailSender } from '../../service/mailSender.ts';
import { runEdumon, spawnEdumon, waitFor } from '../helpers/cli.ts';
import { coveredCalendar } from '../helpers/coveredCalendar.ts';
import { freePort, type SmtpCatcher, startSmtpCatcher } from '../helpers/smtpCatcher.ts';
import { testEnv } from '../helpers/testEnv.ts';

const DOMAIN = 'edumon.test';
/** Contacts: two of a county (武陟县 410823), one of the city, one of the data team. */
const CONTACTS = {
  '410823': [
    { id: 'wuzhi-a', name: '武陟县教育局 甲', email: 'wuzhi-a@example.cn' },
    { id: 'wuzhi-b', name: '武陟县教育局 乙', email: 'wuzhi-b@example.cn' },
  ],
  '410800': [{ id: 'city', name: '焦作市教育局', email: 'city@example.cn' }],
};
const DATA_TEAM = [{ id: 'data', name: '数据组', email: 'data@example.cn' }];
const ADDRESSES = ['wuzhi-a@example.cn', 'wuzhi-b@example.cn', 'city@example.cn', 'data@example.cn'];
const CONTACT_OF: Record<string, string> = {
  'wuzhi-a@example.cn': 'wuzhi-a',
  'wuzhi-b@example.cn': 'wuzhi-b',
  'city@example.cn': 'city',
  'data@example.cn': 'data',
};

/** n outbox rows, round-robin over the contacts' addresses, a millisecond apart. */
function rows(n: number, prefix: string, addresses = ADDRESSES): OutboxRow[] {
  const t0 = Date.now() - n;
  return Array.from({ length: n }, (_, i) => {
    const address = addresses[i % addresses.length]!;
    const id = `${prefix}-${String(i).padStart(3, '0')}`;
    return {
      id,
      messageId: messageIdOf(id, DOMAIN),
      contactId: CONTACT_OF[address]!,
      address,
      kind: 'alerts' as const,
      subject: `【严重】武陟县 超计划招生 ${i}`,
      html: `<p>告警 ${i}</p>`,
      text: `告警 ${i}`,
      attachments: i === 0 ? [{ filename: '告警.csv', contentType: 'text/csv; charset=utf-8', content: 'rule,school\nADM-OVER-QUOTA,41082301\n' }] : [],
      alertIds: [`alert-${i}`],
      createdAt: new Date(t0 + i).toISOString(),
    };
  });
}

const notifyConfig = (url: string, extra: Record<string, unknown> = {}) => ({
  smtpUrl: url,
  smtpTimeoutMs: 500,
  smtpDataTimeoutMs: 500,
  retryInitialMs: 100,
  retryMaxMs: 400,
  messageIdDomain: DOMAIN,
  contacts: CONTACTS,
  dataTeam: DATA_TEAM,
  ...extra,
});

interface World {
  dir: string;
  instance: DuckDBInstance;
  /** The test's connection (writing rows, reading results); the sender has its own, as in `edumon run`. */
  conn: DuckDBConnection;
  senderConn: DuckDBConnection;
  sender?: MailSender;
  smtp?: SmtpCatcher;
}
const worlds: World[] = [];

async function world(name: string): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), `edumon-mail-${name}-`));
  const instance = await openWarehouse(join(dir, 'warehouse.duckdb'));
  const conn = await connect(instance);
  await migrate(conn);
  const w: World = { dir, instance, conn, senderConn: await connect(instance) };
  worlds.push(w);
  return w;
}

function start(w: World, notify: Record<string, unknown>): MailSender {
  const config = loadConfig({ env: { EDUMON_ENV: 'test' }, overrides: { notify } });
  w.sender = startMailSender({ conn: w.senderConn, config, log: createLogger({ level: 'error' }) });
  return w.sender;
}

async function put(w: World, r: readonly OutboxRow[]): Promise<void> {
  await inTransaction(w.conn, () => writeOutbox(w.conn, r));
  w.sender?.wake();
}

const read = async <T = Record<string, unknown>>(conn: DuckDBConnection, sql: string): Promise<T[]> =>
  (await conn.runAndReadAll(sql)).getRowObjectsJson() as T[];

/** Every (recipient, Message-ID) of `expected` accepted exactly once, and nothing else accepted. */
function expectEachAcceptedOnce(smtp: SmtpCatcher, expected: readonly OutboxRow[]): void {
  const want = new Map(expected.map((r) => [`${r.address} ${r.messageId}`, 1]));
  expect(Object.fromEntries(smtp.acceptedCounts())).toEqual(Object.fromEntries(want));
}

afterEach(async () => {
  for (const w of worlds.splice(0)) {
    await w.sender?.stop();
    await w.smtp?.stop();
    w.conn.closeSync();
    w.senderConn.closeSync();
    w.instance.closeSync();
    rmSync(w.dir, { recursive: true, force: true });
  }
});

describe('the mail sender', () => {
  it('delivers a burst exactly once through an SMTP server stopped mid-burst and restarted', async () => {
    const w = await world('restart');
    let stoppedAt = -1;
    const smtp = await startSmtpCatcher({
      // Stopped between two messages, right after the 10th is accepted (its reply already written).
      afterAccept: (_m, n) => {
        if (n === 10) {
          stoppedAt = n;
          setImmediate(() => void smtp.stop());
        }
      },
    });
    w.smtp = smtp;
    const burst = rows(30, 'burst');
    start(w, notifyConfig(smtp.url));
    // Written as sweeps write them, in transactions of their own on another connection while the
    // sender records its attempts.
    for (let i = 0; i < burst.length; i += 5) await put(w, burst.slice(i, i + 5));
    await waitFor(
      async () => (await read<{ n: number }>(w.conn, `select count(*)::int as n from outbox_attempts where outcome = 'retry'`))[0]!.n >= 3,
      20_000,
      'attempts against the stopped server',
    );
    expect(stoppedAt).toBe(10);
    await smtp.start();
    await waitFor(() => smtp.accepted.length >= 30, 20_000, 'all 30 accepted');
    await w.sender!.idle();
    expectEachAcceptedOnce(smtp, burst);
    const states = await read<{ state: string; n: number }>(w.conn, 'select state, count(*)::int as n from outbox group by state');
    expect(states).toEqual([{ state: 'sent', n: 30 }]);
    // Every attempt is recorded: one `sent` per row, and the refused connections as `retry` with no code.
    const attempts = await read<{ outcome: string; n: number; codes: number }>(
      w.conn,
      'select outcome, count(*)::int as n, count(code)::int as codes from outbox_attempts group by outcome order by outcome',
    );
    expect(attempts.find((a) => a.outcome === 'sent')).toEqual({ outcome: 'sent', n: 30, codes: 30 });
    expect(attempts.find((a) => a.outcome === 'retry')?.codes).toBe(0);
    expect(attempts.map((a) => a.outcome).sort()).toEqual(['retry', 'sent']);
    const counted = await read<{ ok: boolean }>(
      w.conn,
      'select bool_and(attempts = (select count(*) from outbox_attempts a where a.outbox_id = o.id)) as ok from outbox o',
    );
    expect(counted[0]!.ok).toBe(true);
    // What the recipient reads: the row's Message-ID, subject, outbox id header and attachment.
    const first = smtp.accepted.find((m) => m.outboxId === 'burst-000')!;
    expect(first).toMatchObject({ messageId: '<burst-000@edumon.test>', to: ['wuzhi-a@example.cn'], subject: '【严重】武陟县 超计划招生 0' });
  });

  it('retries a message whose reply never came with the same Message-ID, and it is accepted once', async () => {
    const w = await world('hang');
    const smtp = await startSmtpCatcher({ data: (_m, n) => (n === 0 ? 'hang' : 'accept') });
    w.smtp = smtp;
    const [row] = rows(1, 'hang');
    start(w, notifyConfig(smtp.url));
    await put(w, [row!]);
    await waitFor(() => smtp.accepted.length === 1, 15_000, 'the retry accepted');
    await w.sender!.idle();
    expect(smtp.received.length).toBe(2);
    expect(new Set(smtp.received.map((m) => m.messageId))).toEqual(new Set([row!.messageId]));
    expectEachAcceptedOnce(smtp, [row!]);
    const attempts = await read(w.conn, 'select outcome, code from outbox_attempts order by attempted_at');
    expect(attempts).toEqual([
      { outcome: 'unknown', code: null },
      { outcome: 'sent', code: 250 },
    ]);
    expect(await read(w.conn, 'select state, attempts from outbox')).toEqual([{ state: 'sent', attempts: 2 }]);
  });

  it('fails the row of a refused recipient, sends the others once, and opens DQ-NOTIFY-FAILED naming the contact, not the address', async () => {
    const w = await world('refused');
    const smtp = await startSmtpCatcher({
      rcpt: (a) => (a === 'wuzhi-b@example.cn' ? { code: 550, message: `5.1.1 <${a}>: Recipient address rejected: User unknown` } : null),
    });
    w.smtp = smtp;
    const all = rows(8, 'refused');
    start(w, notifyConfig(smtp.url));
    await put(w, all);
    await waitFor(() => smtp.accepted.length === 6, 15_000, 'the six others accepted');
    await w.sender!.idle();
    // Woken again: nothing is due, nothing is sent again.
    w.sender!.wake();
    await w.sender!.idle();
    const refused = all.filter((r) => r.address === 'wuzhi-b@example.cn');
    expectEachAcceptedOnce(
      smtp,
      all.filter((r) => !refused.includes(r)),
    );
    expect(smtp.rcpts.filter((a) => a === 'wuzhi-b@example.cn').length).toBe(2);
    const states = await read<{ id: string; state: string; attempts: number; last_code: number | null }>(
      w.conn,
      'select id, state, attempts, last_code from outbox order by id',
    );
    for (const s of states) {
      if (refused.some((r) => r.id === s.id)) expect(s).toMatchObject({ state: 'failed', attempts: 1, last_code: 550 });
      else expect(s).toMatchObject({ state: 'sent', attempts: 1, last_code: 250 });
    }
    const alerts = await read(w.conn, `select rule, severity, status, school_id, region_code, period, subject, observed, details from alerts`);
    expect(alerts).toHaveLength(1);
    const a = alerts[0]!;
    expect(a).toMatchObject({
      rule: NOTIFY_FAILED,
      severity: 'critical',
      status: 'open',
      school_id: null,
      region_code: '410823',
      subject: 'wuzhi-b',
      observed: null,
    });
    expect(a.period).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const details = JSON.parse(String(a.details));
    expect(details).toMatchObject({ outbox_id: refused[1]!.id, code: 550, failed_count: 2 });
    expect(details.reply).toBe('550 5.1.1 <address>: Recipient address rejected: User unknown');
    const history = JSON.stringify(await read(w.conn, 'select * from alerts')) + JSON.stringify(await read(w.conn, 'select * from alert_transitions'));
    expect(history).not.toContain('wuzhi-b@example.cn');
    expect(history).not.toContain('@example.cn');

    // The contact's address is fixed at the server: its next email is accepted and the alert resolves.
    await w.sender!.stop();
    const fixed = await startSmtpCatcher();
    w.smtp = fixed;
    await smtp.stop();
    start(w, notifyConfig(fixed.url));
    const next: OutboxRow = { ...refused[0]!, id: 'refused-next', messageId: messageIdOf('refused-next', DOMAIN), createdAt: new Date().toISOString() };
    await put(w, [next]);
    await waitFor(() => fixed.accepted.length === 1, 10_000, 'the next email accepted');
    await w.sender!.idle();
    expect(await read(w.conn, `select status, subject from alerts where rule = '${NOTIFY_FAILED}'`)).toEqual([{ status: 'resolved', subject: 'wuzhi-b' }]);
  });

  it('retries after a 451 and the message is accepted once', async () => {
    const w = await world('451');
    let refused = false;
    const smtp = await startSmtpCatcher({
      data: (m) => {
        if (m.outboxId !== 'temp-000' || refused) return 'accept';
        refused = true;
        return { code: 451, message: 'Try again later' };
      },
    });
    w.smtp = smtp;
    const two = rows(2, 'temp');
    start(w, notifyConfig(smtp.url));
    await put(w, two);
    await waitFor(() => smtp.accepted.length === 2, 15_000, 'both accepted');
    await w.sender!.idle();
    expectEachAcceptedOnce(smtp, two);
    // The two go out side by side: the order of their attempts is the order their replies came in.
    const attempts = await read(w.conn, 'select outbox_id, outcome, code from outbox_attempts order by outbox_id, attempted_at');
    expect(attempts).toEqual([
      { outbox_id: 'temp-000', outcome: 'retry', code: 451 },
      { outbox_id: 'temp-000', outcome: 'sent', code: 250 },
      { outbox_id: 'temp-001', outcome: 'sent', code: 250 },
    ]);
    expect(await read(w.conn, `select count(*)::int as n from alerts`)).toEqual([{ n: 0 }]);
  });

  it('stopped while emails wait for their replies: those attempts are recorded as unknown at once, and nothing is sent after', async () => {
    const w = await world('stop');
    const smtp = await startSmtpCatcher({ data: () => 'hang' });
    w.smtp = smtp;
    const four = rows(4, 'stop');
    // The reply to the final dot may take its 10 minutes: stopping does not wait for it.
    start(w, notifyConfig(smtp.url, { smtpDataTimeoutMs: 600_000, smtpMaxConnections: 2 }));
    await put(w, four);
    await waitFor(() => smtp.received.length === 2, 10_000, 'two messages received side by side');
    await w.sender!.stop();
    expect(await read(w.conn, 'select outbox_id, outcome from outbox_attempts order by outbox_id')).toEqual([
      { outbox_id: 'stop-000', outcome: 'unknown' },
      { outbox_id: 'stop-001', outcome: 'unknown' },
    ]);
    expect(await read(w.conn, 'select id, state from outbox order by id')).toEqual([
      { id: 'stop-000', state: 'unknown' },
      { id: 'stop-001', state: 'unknown' },
      { id: 'stop-002', state: 'pending' },
      { id: 'stop-003', state: 'pending' },
    ]);
    w.sender!.wake();
    expect(smtp.received.length).toBe(2);
    expect(smtp.rcpts.length).toBe(2);
  });

  it('marks an email not accepted within giveUpAfterHours failed, without sending it', async () => {
    const w = await world('giveup');
    const smtp = await startSmtpCatcher();
    w.smtp = smtp;
    const [old] = rows(1, 'old', ['data@example.cn']);
    start(w, notifyConfig(smtp.url, { giveUpAfterHours: 1 }));
    await put(w, [{ ...old!, createdAt: new Date(Date.now() - 2 * 3_600_000).toISOString() }]);
    await w.sender!.idle();
    expect(smtp.received).toEqual([]);
    expect(await read(w.conn, 'select state, attempts from outbox')).toEqual([{ state: 'failed', attempts: 1 }]);
    expect(await read(w.conn, 'select rule, region_code, subject from alerts')).toEqual([{ rule: NOTIFY_FAILED, region_code: null, subject: 'data' }]);
  });
});

/** Runs `edumon notify ARGS` in-process; returns its exit status and what it printed on stdout. */
async function notify(args: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  try {
    return { code: await runCommand(notifyCmd, args), stdout };
  } finally {
    spy.mockRestore();
  }
}

const jsonLines = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('edumon notify test', () => {
  it('sends one Chinese test email now and prints the reply; exit 1 when it is not accepted', async () => {
    const smtp = await startSmtpCatcher({ rcpt: (a) => (a === 'nobody@example.cn' ? { code: 550, message: 'No such user' } : null) });
    const dir = mkdtempSync(join(tmpdir(), 'edumon-notify-test-'));
    try {
      const configFile = join(dir, 'config.json');
      writeFileSync(configFile, JSON.stringify({ env: 'test', notify: notifyConfig(smtp.url) }));
      const ok = await notify(['test', '--to', 'wuzhi-a@example.cn', '--config', configFile]);
      expect(ok.code).toBe(0);
      expect(ok.stdout).toContain('250 queued');
      expect(smtp.accepted).toHaveLength(1);
      expect(smtp.accepted[0]!).toMatchObject({ to: ['wuzhi-a@example.cn'] });
      expect(smtp.accepted[0]!.subject).toContain('测试');
      expect(smtp.accepted[0]!.text).toContain('焦作市教育监测');
      expect(smtp.accepted[0]!.messageId).toMatch(/^<test-[0-9a-f-]+@edumon\.test>$/);
      const refused = notify(['test', '--to', 'nobody@example.cn', '--config', configFile]);
      await expect(refused).rejects.toThrow(EdumonError);
      await expect(refused).rejects.toThrow(/550 No such user/);
      await expect(notify(['test', '--to', 'not-an-address', '--config', configFile])).rejects.toThrow(UsageError);
    } finally {
      await smtp.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * A bare SMTP server that drops the connection at one step: `greeting` never greets, `mail` closes
 * on MAIL FROM (before any data), `dot` closes on the final dot (after all of it, no reply).
 */
async function droppingServer(at: 'greeting' | 'mail' | 'dot'): Promise<{ url: string; server: Server }> {
  const server = createServer((sock) => {
    sock.on('error', () => undefined);
    if (at === 'greeting') return;
    sock.write('220 mx.example.cn ESMTP\r\n');
    let buf = '';
    let inData = false;
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      for (let i = buf.indexOf('\r\n'); i >= 0; i = buf.indexOf('\r\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (inData) {
          if (line === '.') sock.destroy();
        } else if (/^MAIL/i.test(line) && at === 'mail') sock.destroy();
        else if (/^DATA/i.test(line)) {
          inData = true;
          sock.write('354 go ahead\r\n');
        } else sock.write('250 ok\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `smtp://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('sendEmail: the stage at which a reply is lost', () => {
  const settings = (url: string) => loadConfig({ env: { EDUMON_ENV: 'test' }, overrides: { notify: notifyConfig(url) } }).notify;
  const [row] = rows(1, 'stage');
  for (const [at, outcome] of [
    ['greeting', 'retry'],
    ['mail', 'retry'],
    ['dot', 'unknown'],
  ] as const) {
    it(`a connection dropped at the ${at} is ${outcome}`, async () => {
      const { url, server } = await droppingServer(at);
      try {
        expect(await sendEmail(settings(url), row!)).toMatchObject({ outcome, code: null });
      } finally {
        server.close();
      }
    });
  }
});

describe('edumon run and its outbox', () => {
  const t = testEnv('mail-run');
  afterEach(() => rmSync(t.dir, { recursive: true, force: true }));

  it('SIGKILLed with emails it could not send, restarted with the server up: each delivered exactly once', async () => {
    const port = await freePort();
    const configFile = join(t.dir, 'config.json');
    // The calendar covered: no DQ-CALENDAR-STALE email to the data team joins the 12.
    writeFileSync(configFile, JSON.stringify({ notify: notifyConfig(`smtp://127.0.0.1:${port}`, { calendarOverrides: coveredCalendar() }) }));
    const env = { ...t.env, EDUMON_CONFIG: configFile };
    const pending = rows(12, 'run');
    {
      const instance = await openWarehouse(t.env.EDUMON_WAREHOUSE!);
      const conn = await connect(instance);
      await migrate(conn);
      await inTransaction(conn, () => writeOutbox(conn, pending));
      conn.closeSync();
      instance.closeSync();
    }
    const count = async (sql: string): Promise<number> => {
      const r = await runEdumon(['query', sql, '--format', 'json'], env);
      if (r.code !== 0) return -1;
      return Number(Object.values(JSON.parse(r.stdout.trim().split('\n')[0]!))[0]);
    };
    const first = spawnEdumon(['run'], env);
    await waitFor(() => first.output().includes('pipeline running'), 60_000, 'the service to start').catch((err) => {
      throw new Error(`${err.message}:\n${first.output()}`);
    });
    // The server is down: emails are tried, refused, and left pending.
    await waitFor(async () => (await count(`select count(*) from outbox_attempts where outcome = 'retry'`)) >= 3, 30_000, 'attempts refused');
    expect(await count(`select count(*) from outbox where state = 'pending'`)).toBe(12);
    first.child.kill('SIGKILL');
    await first.exited;

    const smtp = await startSmtpCatcher({ port });
    try {
      const second = spawnEdumon(['run'], env);
      await waitFor(() => smtp.accepted.length >= 12, 60_000, 'all 12 accepted after the restart');
      await waitFor(async () => (await count(`select count(*) from outbox where state = 'sent'`)) === 12, 15_000, 'all 12 recorded sent');
      const listed = await runEdumon(['query', `select state, count(*) as n from outbox group by state`, '--format', 'json'], env);
      expect(listed.stdout.trim()).toBe('{"state":"sent","n":"12"}');
      // `notify list` through the running service, then on the stopped warehouse: the same listing.
      const viaService = await notify(['list', '--json', '--state', 'sent', '--config', configFile, '--warehouse', t.env.EDUMON_WAREHOUSE!]);
      expect(viaService.code).toBe(0);
      const listedRows = jsonLines(viaService.stdout);
      expect(listedRows).toHaveLength(12);
      expect(listedRows.find((r) => r.id === 'run-000')).toMatchObject({
        contact_id: 'wuzhi-a',
        address: 'wuzhi-a@example.cn',
        kind: 'alerts',
        state: 'sent',
        last_code: 250,
      });
      expect(listedRows.reduce((n, r) => n + Number(r.attempts), 0)).toBeGreaterThanOrEqual(12 + 3);
      expect(String(listedRows[0]!.created_at)).toMatch(/\+08:00$/);
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
      expectEachAcceptedOnce(smtp, pending);
      const onFile = await notify(['list', '--json', '--config', configFile, '--warehouse', t.env.EDUMON_WAREHOUSE!]);
      expect(jsonLines(onFile.stdout)).toEqual(listedRows);
      await expect(notify(['list', '--state', 'lost', '--config', configFile, '--warehouse', t.env.EDUMON_WAREHOUSE!])).rejects.toThrow(UsageError);
    } finally {
      await smtp.stop();
    }
  }, 120_000);
});

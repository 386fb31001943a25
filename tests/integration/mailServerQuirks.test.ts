/**
 * Issue 21's failing inputs 1-3, each against a real in-process SMTP server (smtp-server) playing
 * the mail server's quirk, a real DuckDB file, the real notification rounds and the real sender;
 * every message the server took is counted by Message-ID. (1) A server that stores the message and
 * answers 5 s after the final dot gets one copy, and the other contacts' emails go out meanwhile;
 * one that never answers gets notify.maxUnknownAttempts copies, then the email is held with
 * DQ-NOTIFY-FAILED. (2) QQ/163 refusing a From that is not the login: nobody counts as told, and
 * after the From is fixed and the sender restarted (or `notify retry`) the critical alert reaches
 * both officials once. (3) 163's `554 DT:SPM`: no resolved notice to anyone not told of the
 * opening, and a refused opening is delivered, before its resolution, once mail flows again.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NOTIFY_FAILED } from '../../alerts/notify/notifyFailed.ts';
import { notifyRound } from '../../alerts/notify/notifyRound.ts';
import { listOutbox } from '../../alerts/notify/outbox.ts';
import { listTold } from '../../alerts/notify/toldList.ts';
import { notifyCmd } from '../../bin/commands/notify.ts';
import { runCommand } from '../../core/cli.ts';
import { type Config, loadConfig } from '../../core/config.ts';
import { connect, inTransaction, openWarehouse } from '../../core/db.ts';
import { createLogger } from '../../core/log.ts';
import { migrate } from '../../pipeline/migrate.ts';
import { HOLD_REASON, type MailSender, startMailSender } from '../../service/mailSender.ts';
import { waitFor } from '../helpers/cli.ts';
import { type Received, type SmtpCatcher, startSmtpCatcher } from '../helpers/smtpCatcher.ts';

const XIUWU = 'xiuwu@163.example.cn';
const CITY = 'city@qq.example.cn';
const LOGIN = 'edumon@qq.example.cn';

interface World {
  dir: string;
  file: string;
  instance: DuckDBInstance;
  conn: DuckDBConnection;
  senderConn: DuckDBConnection;
  sender?: MailSender;
  smtp?: SmtpCatcher;
}
const worlds: World[] = [];

async function world(name: string): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), `edumon-quirk-${name}-`));
  const file = join(dir, 'warehouse.duckdb');
  const instance = await openWarehouse(file);
  const conn = await connect(instance);
  await migrate(conn);
  const w: World = { dir, file, instance, conn, senderConn: await connect(instance) };
  worlds.push(w);
  return w;
}

async function close(w: World): Promise<void> {
  await w.sender?.stop();
  w.sender = undefined;
  w.conn.closeSync();
  w.senderConn.closeSync();
  w.instance.closeSync();
}

afterEach(async () => {
  for (const w of worlds.splice(0)) {
    await w.sender?.stop();
    await w.smtp?.stop();
    try {
      await close(w);
    } catch {
      // closed by the test already
    }
    rmSync(w.dir, { recursive: true, force: true });
  }
});

/** The notify settings of these tests: 修武县's official at 163, the city's at QQ; `extra` on top. */
function configOf(url: string, extra: Record<string, unknown> = {}): Config {
  return loadConfig({
    env: { EDUMON_ENV: 'test' },
    overrides: {
      notify: {
        smtpUrl: url,
        from: `焦作市教育监测 <${LOGIN}>`,
        retryInitialMs: 100,
        retryMaxMs: 400,
        messageIdDomain: 'edumon.test',
        contacts: {
          '410821': [{ id: 'xiuwu', name: '修武县教育局', email: XIUWU }],
          '410800': [{ id: 'city', name: '焦作市教育局', email: CITY }],
        },
        ...extra,
      },
    },
  });
}

function start(w: World, config: Config): MailSender {
  w.sender = startMailSender({ conn: w.senderConn, config, log: createLogger({ level: 'error' }) });
  return w.sender;
}

/** Puts an alert as the lifecycle would leave it: `id`, of 修武县 unless `region` says otherwise. */
async function openAlert(w: World, id: string, rule: string, severity: string, school: string, region = '410821'): Promise<void> {
  const at = new Date().toISOString();
  await w.conn.run(
    `insert into alerts (id, rule, school_id, region_code, period, subject, severity, status, occurrence, opened_at, last_seen_at, details)
     values ($id, $rule, $school, $region, '2025', null, $severity, 'open', 1, $at::timestamptz, $at::timestamptz, '{}'::json)`,
    { id, rule, school, region, severity, at },
  );
}

async function resolveAlert(w: World, id: string): Promise<void> {
  await w.conn.run(`update alerts set status = 'resolved', resolved_at = now() where id = $id`, { id });
}

/** One notification round over every rule, as the service runs it every 10 s; returns the emails written. */
async function round(w: World, config: Config): Promise<number> {
  const r = await inTransaction(w.conn, () => notifyRound(w.conn, config, null, new Date()));
  w.sender?.wake();
  return r.emails;
}

const read = async <T = Record<string, unknown>>(conn: DuckDBConnection, sql: string): Promise<T[]> =>
  (await conn.runAndReadAll(sql)).getRowObjectsJson() as T[];

/** The alerts an accepted message tells of, and how (open, resolve, ...), from its outbox id. */
async function noticesOf(w: World, m: Received): Promise<string[]> {
  const rows = await read<{ alert_id: string; kind: string }>(
    w.conn,
    `select alert_id, kind from outbox_notices where outbox_id = '${m.outboxId}' order by alert_id`,
  );
  return rows.map((r) => `${r.alert_id}:${r.kind}`);
}

/** How many copies of each Message-ID the server took for `to`. */
function copies(list: readonly Received[], to: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of list) if (m.to.includes(to)) out.set(m.messageId, (out.get(m.messageId) ?? 0) + 1);
  return out;
}

/** Runs `edumon notify ARGS` in-process; returns what it printed on stdout. */
async function notifyCli(args: string[]): Promise<string> {
  let stdout = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  try {
    expect(await runCommand(notifyCmd, args)).toBe(0);
    return stdout;
  } finally {
    spy.mockRestore();
  }
}

describe('a slow or silent mail server (input 1)', () => {
  it('answering 5 s after the final dot, with smtpTimeoutMs 3000: one copy, and the city’s critical email goes out meanwhile', async () => {
    const w = await world('slow');
    const smtp = await startSmtpCatcher({ data: (m) => (m.to.includes(XIUWU) ? { delayMs: 5_000 } : 'accept') });
    w.smtp = smtp;
    const config = configOf(smtp.url, { smtpTimeoutMs: 3_000 });
    // 修武县's warning first (its email is the oldest), then the city-wide critical 无证园.
    await openAlert(w, 'a-xiuwu-facility', 'KG-FACILITY', 'warning', '4108210001');
    await round(
      w,
      loadConfig({ env: { EDUMON_ENV: 'test' }, overrides: { notify: { ...config.notify, contacts: { '410821': config.notify.contacts['410821'] } } } }),
    );
    await openAlert(w, 'a-city-unlicensed', 'KG-UNLICENSED', 'critical', '4108020001', '410802');
    await round(w, config);
    start(w, config);
    await waitFor(() => smtp.accepted.length === 2, 30_000, 'both emails accepted');
    await w.sender!.idle();
    // The city's email was accepted while 修武县's waited for its reply.
    expect(smtp.accepted.map((m) => m.to[0])).toEqual([CITY, XIUWU]);
    expect([...copies(smtp.received, XIUWU).values()]).toEqual([1]);
    expect([...copies(smtp.received, CITY).values()]).toEqual([1]);
    expect(await read(w.conn, 'select contact_id, state, attempts from outbox order by contact_id')).toEqual([
      { contact_id: 'city', state: 'sent', attempts: 1 },
      { contact_id: 'xiuwu', state: 'sent', attempts: 1 },
    ]);
  }, 60_000);

  it('never answering the final dot: at most maxUnknownAttempts copies, then held with DQ-NOTIFY-FAILED saying why, the others delivered meanwhile', async () => {
    const w = await world('silent');
    const smtp = await startSmtpCatcher({ data: (m) => (m.to.includes(XIUWU) ? 'hang' : 'accept') });
    w.smtp = smtp;
    const config = configOf(smtp.url, { smtpDataTimeoutMs: 1_000, dataTeam: [{ id: 'data', name: '数据组', email: 'data@qq.example.cn' }] });
    expect(config.notify.maxUnknownAttempts).toBe(2);
    await openAlert(w, 'b-xiuwu', 'KG-UNLICENSED', 'critical', '4108210002');
    await round(w, config);
    start(w, config);
    await waitFor(async () => (await read(w.conn, `select 1 from outbox where state = 'held'`)).length === 1, 30_000, 'the silent email held');
    await w.sender!.idle();
    expect([...copies(smtp.received, XIUWU).values()]).toEqual([2]);
    expect([...copies(smtp.accepted, CITY).values()]).toEqual([1]);
    const failed = await read<{ subject: string; details: string }>(w.conn, `select subject, details from alerts where rule = '${NOTIFY_FAILED}'`);
    expect(failed.map((f) => f.subject)).toEqual(['xiuwu']);
    expect(JSON.parse(failed[0]!.details).reply).toContain('server accepts but does not answer');
    // `notify list` says why it waits; nothing is tried again without `notify retry`.
    const listed = await listOutbox(w.conn, 'held');
    const waiting = listed.rows[0]![listed.columns.indexOf('waiting')];
    expect(String(waiting)).toContain('notify retry');
    expect(String(waiting)).toContain(HOLD_REASON);
    // The data team hears of it (a round composes DQ-NOTIFY-FAILED's email) and it is delivered.
    await round(w, config);
    await waitFor(() => copies(smtp.accepted, 'data@qq.example.cn').size === 1, 20_000, 'the data team told');
    w.sender!.wake();
    await w.sender!.idle();
    expect([...copies(smtp.received, XIUWU).values()]).toEqual([2]);
  }, 60_000);
});

describe('told means accepted', () => {
  it('a refused From (QQ/163 501) tells nobody; fixed and restarted, the critical alert reaches both officials once (input 2)', async () => {
    const w = await world('from');
    const smtp = await startSmtpCatcher({
      mailFrom: (a) => (a === LOGIN ? null : { code: 501, message: 'mail from address must be same as authorization user' }),
    });
    w.smtp = smtp;
    const wrong = configOf(smtp.url, { from: '焦作市教育监测 <jyj@jiaozuo.example.cn>' });
    await openAlert(w, 'c-unlicensed', 'KG-UNLICENSED', 'critical', '4108210003');
    expect(await round(w, wrong)).toBe(2);
    start(w, wrong);
    await waitFor(async () => (await read(w.conn, `select 1 from outbox where state = 'failed'`)).length === 2, 20_000, 'both refused');
    await w.sender!.idle();
    expect(smtp.received).toEqual([]);
    expect(await read(w.conn, 'select count(*)::int as n from notify_log')).toEqual([{ n: 0 }]);
    const told = await listTold(w.conn, wrong.notify, new Date());
    const row = told.rows.find((r) => r[0] === 'c-unlicensed')!;
    expect(row[told.columns.indexOf('told')]).toBe('');
    expect(String(row[told.columns.indexOf('not_told')])).toBe('xiuwu（failed）, city（failed）');
    // Rounds go on meanwhile: the refused notices are not composed again and again.
    expect(await round(w, wrong)).toBe(0);

    // The operator corrects EDUMON_MAIL_FROM and restarts.
    await w.sender!.stop();
    start(w, configOf(smtp.url));
    await waitFor(() => smtp.accepted.length === 2, 20_000, 'both officials reached');
    await w.sender!.idle();
    expect([...copies(smtp.accepted, XIUWU).values()]).toEqual([1]);
    expect([...copies(smtp.accepted, CITY).values()]).toEqual([1]);
    for (const m of smtp.accepted) expect(await noticesOf(w, m)).toEqual(['c-unlicensed:open']);
    expect(await read(w.conn, 'select contact_id, status from notify_log order by contact_id')).toEqual([
      { contact_id: 'city', status: 'open' },
      { contact_id: 'xiuwu', status: 'open' },
    ]);
    expect(await round(w, configOf(smtp.url))).toBe(0);
    await w.sender!.idle();
    expect(smtp.accepted).toHaveLength(2);
  }, 60_000);

  it('`edumon notify retry` on the warehouse queues the refused emails again, by contact', async () => {
    const w = await world('retry');
    const smtp = await startSmtpCatcher({ mailFrom: () => ({ code: 501, message: 'mail from address must be same as authorization user' }) });
    w.smtp = smtp;
    const config = configOf(smtp.url);
    await openAlert(w, 'd-unlicensed', 'KG-UNLICENSED', 'critical', '4108210004');
    await round(w, config);
    start(w, config);
    await waitFor(async () => (await read(w.conn, `select 1 from outbox where state = 'failed'`)).length === 2, 20_000, 'both refused');
    await close(w);
    const configFile = join(w.dir, 'config.json');
    writeFileSync(configFile, JSON.stringify({ env: 'test', notify: config.notify }));
    const out = await notifyCli(['retry', '--contact', 'city', '--warehouse', w.file, '--config', configFile]);
    expect(out).toMatch(/queued again: 1 /);
    const listed = JSON.parse(`[${(await notifyCli(['list', '--json', '--warehouse', w.file, '--config', configFile])).trim().split('\n').join(',')}]`);
    expect(listed.map((r: { contact_id: string; state: string }) => `${r.contact_id}:${r.state}`).sort()).toEqual(['city:pending', 'xiuwu:failed']);
  }, 60_000);

  it('163 refusing the opening as spam (554 DT:SPM): no resolved notice to a contact never told, and a refused opening is delivered first once mail flows (input 3)', async () => {
    const w = await world('spam');
    let spam = true;
    const smtp = await startSmtpCatcher({ data: (m) => (spam && m.to.includes(CITY) ? { code: 554, message: 'DT:SPM 163 smtp14, spam' } : 'accept') });
    w.smtp = smtp;
    const config = configOf(smtp.url);
    start(w, config);
    // 阳光幼儿园 opens; the city's email is refused as spam, 修武县's accepted.
    await openAlert(w, 'e-sunshine', 'KG-UNLICENSED', 'critical', '4108210005');
    await round(w, config);
    await waitFor(async () => (await read(w.conn, `select 1 from outbox where state in ('sent', 'failed')`)).length === 2, 20_000, 'both tried');
    await w.sender!.idle();
    // It resolves: only 修武县, told of the opening, hears of the resolution.
    await resolveAlert(w, 'e-sunshine');
    expect(await round(w, config)).toBe(1);
    await w.sender!.idle();
    expect(smtp.accepted.filter((m) => m.to.includes(CITY))).toEqual([]);
    const xiuwu = smtp.accepted.filter((m) => m.to.includes(XIUWU));
    expect(await Promise.all(xiuwu.map((m) => noticesOf(w, m)))).toEqual([['e-sunshine:open'], ['e-sunshine:resolve']]);

    // A second kindergarten opens while the city is still refused; then mail flows again and a third
    // opens: its acceptance for qq.example.cn queues the refused opening again, which goes out.
    await openAlert(w, 'f-rainbow', 'KG-UNLICENSED', 'critical', '4108210006');
    await round(w, config);
    await waitFor(async () => (await read(w.conn, `select 1 from outbox where state = 'failed'`)).length === 2, 20_000, 'the city refused again');
    await w.sender!.idle();
    spam = false;
    await openAlert(w, 'g-star', 'KG-UNLICENSED', 'critical', '4108210007');
    await round(w, config);
    await waitFor(() => smtp.accepted.filter((m) => m.to.includes(CITY)).length === 2, 20_000, 'the city told of both');
    await w.sender!.idle();
    await resolveAlert(w, 'f-rainbow');
    await round(w, config);
    await waitFor(() => smtp.accepted.filter((m) => m.to.includes(CITY)).length === 3, 20_000, 'the city told of the resolution');
    await w.sender!.idle();
    const city = await Promise.all(smtp.accepted.filter((m) => m.to.includes(CITY)).map((m) => noticesOf(w, m)));
    // Never a word of 阳光 (resolved before the city could be told); 彩虹's opening before its resolution.
    expect(city.flat().filter((n) => n.startsWith('e-'))).toEqual([]);
    const rainbow = city.flat().filter((n) => n.startsWith('f-'));
    expect(rainbow).toEqual(['f-rainbow:open', 'f-rainbow:resolve']);
    for (const to of [CITY, XIUWU]) for (const n of copies(smtp.accepted, to).values()) expect(n).toBe(1);
  }, 90_000);
});

/**
 * Alert emails end to end, short of Kafka: violations stored through the real sink into a real
 * DuckDB file, rule sweeps applied with the notification step in their transaction, the real
 * sender delivering over SMTP to a real in-process server, every message parsed back (mailparser).
 * The clock is controlled: each sweep and round is given its moment.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ackAlert } from '../../alerts/alertStore.ts';
import { applyRules } from '../../alerts/applyRules.ts';
import { noWatermarks } from '../../alerts/feedWatermarks.ts';
import { verifyAckLink } from '../../alerts/notify/alertLinks.ts';
import { notifyRound } from '../../alerts/notify/notifyRound.ts';
import { previewEmail } from '../../alerts/notify/preview.ts';
import { ruleById } from '../../alerts/rules.ts';
import { type Config, loadConfig } from '../../core/config.ts';
import { connect, inTransaction, openWarehouse } from '../../core/db.ts';
import { createLogger } from '../../core/log.ts';
import type { ContractEvent } from '../../domain/contract.ts';
import { pseudonymizeEvent } from '../../ingest/pseudonymize.ts';
import { migrate } from '../../pipeline/migrate.ts';
import { Sink } from '../../pipeline/sink.ts';
import { type MailSender, startMailSender } from '../../service/mailSender.ts';
import { pseudonym } from '../helpers/ruleWorld.ts';
import { type Received, type SmtpCatcher, startSmtpCatcher } from '../helpers/smtpCatcher.ts';
import { sweepWithNotices } from '../helpers/sweepWithNotices.ts';

const RULE = ruleById('ADM-CROSS-REGION');
const WEN_HS = '3441250001';
const WUZHI_HS = '3441230001';
/** Raw student ids (18-character resident id numbers): no email may show one. */
const WEN_STUDENTS = ['410823200801011234', '410823200802021235', '41082320080303123X'];
const WUZHI_STUDENT = '410825200804041236';
const LATE_STUDENT = '410823200805051237';
const FESTIVAL_STUDENT = '410823200906061238';
/** The console these emails link to, and the key their acknowledge links are signed with. */
const CONSOLE = 'https://edumon.jyj.example.cn/console';
const LINK_KEY = 'alert-emails-link-key-0123456789abcdef';

let dir: string;
let instance: DuckDBInstance;
let conn: DuckDBConnection;
let senderConn: DuckDBConnection;
let catcher: SmtpCatcher;
let sender: MailSender;
let config: Config;
let seq = 0;
let seen = 0;

const ev = (type: string, at: string, fields: Record<string, unknown>) =>
  ({ type, event_id: `mail-test-${++seq}`, occurred_at: at, source: 'mail-test', ...fields }) as unknown as ContractEvent;
const school = (school_id: string, name: string, region_code: string) =>
  ev('school.upserted', '2025-01-01T00:10:00+08:00', {
    school_id,
    name,
    level: 'high_school',
    ownership: 'public',
    region_code,
    status: 'active',
    licensed: true,
    capacity: 3000,
  });
const admit = (school_id: string, student_id: string, home: string, at: string) =>
  ev('admission.admitted', at, { school_id, student_id, year: Number(at.slice(0, 4)), home_region_code: home, admission_type: 'unified' });

async function store(events: ContractEvent[]): Promise<void> {
  const sink = await Sink.open(conn);
  await sink.write([
    { topic: 'mail-test', partition: 0, nextOffset: BigInt(++seq), events: events.map((e) => pseudonymizeEvent(e, pseudonym)), rejections: [] },
  ]);
}

/** A sweep of ADM-CROSS-REGION as of `at`, its notifications in its transaction. */
const sweep = (at: string) => sweepWithNotices(conn, config, [RULE], at);

/** A notification round between sweeps as of `at` (reminders, escalations, releases). */
async function round(at: string): Promise<void> {
  await inTransaction(conn, () => notifyRound(conn, config, null, new Date(at)));
}

/** Delivers what is due and returns the messages the server accepted since the last call. */
async function delivered(): Promise<Received[]> {
  sender.wake();
  await sender.idle();
  const out = catcher.accepted.slice(seen);
  seen = catcher.accepted.length;
  return out;
}

const byRecipient = (msgs: Received[]) => Object.fromEntries(msgs.map((m) => [m.to.join(','), m]));
const eventIds = (m: Received) => [...m.text.matchAll(/mail-test-\d+/g)].map((x) => x[0]).sort();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'edumon-mail-'));
  catcher = await startSmtpCatcher();
  config = loadConfig({
    env: { EDUMON_ENV: 'test' },
    overrides: {
      'notify.smtpUrl': catcher.url,
      'notify.smtpTimeoutMs': 3000,
      'notify.retryInitialMs': 50,
      // The clock of these emails is months behind the wall clock: never give up on them for age.
      'notify.giveUpAfterHours': 1e6,
      'notify.muteWindows': [{ from: '22:00', to: '07:00' }],
      'notify.contacts': {
        '410825': [{ id: 'wen', name: '温县教育局', email: 'wen@jyj.example.cn' }],
        '410823': [{ id: 'wuzhi', name: '武陟县教育局', email: 'wuzhi@jyj.example.cn' }],
        '410800': [{ id: 'city', name: '焦作市教育局', email: 'city@jyj.example.cn' }],
      },
      'notify.escalation': [{ id: 'esc', name: '焦作市教育局督导室', email: 'esc@jyj.example.cn' }],
      'console.publicUrl': CONSOLE,
      'console.linkKey': LINK_KEY,
    },
  });
  instance = await openWarehouse(join(dir, 'edumon.duckdb'));
  conn = await connect(instance);
  senderConn = await connect(instance);
  await migrate(conn);
  sender = startMailSender({ conn: senderConn, config, log: createLogger({ level: 'error' }) });
  await store([
    school(WEN_HS, '温县𠮷祥高级中学', '410825'),
    school(WUZHI_HS, '武陟县第一高级中学', '410823'),
    ...WEN_STUDENTS.map((s, i) => admit(WEN_HS, s, '410823', `2025-07-12T10:0${i}:00+08:00`)),
    admit(WUZHI_HS, WUZHI_STUDENT, '410825', '2025-07-12T10:05:00+08:00'),
  ]);
}, 60_000);

afterAll(async () => {
  await sender?.stop();
  await catcher?.stop();
  senderConn?.closeSync();
  conn?.closeSync();
  instance?.closeSync();
  rmSync(dir, { recursive: true, force: true });
});

describe('alert emails', () => {
  it('send one email per recipient per sweep: a 温县 violation to 温县 and the city, never to 武陟县', async () => {
    await sweep('2025-07-12T11:00:00+08:00');
    const got = byRecipient(await delivered());
    expect(Object.keys(got).sort()).toEqual(['city@jyj.example.cn', 'wen@jyj.example.cn', 'wuzhi@jyj.example.cn']);
    // 温县 reads its three admissions, by their source records' event_ids; 武陟县 its one; the city all four.
    expect(eventIds(got['wen@jyj.example.cn']!)).toEqual(['mail-test-3', 'mail-test-4', 'mail-test-5']);
    expect(eventIds(got['wuzhi@jyj.example.cn']!)).toEqual(['mail-test-6']);
    expect(eventIds(got['city@jyj.example.cn']!)).toEqual(['mail-test-3', 'mail-test-4', 'mail-test-5', 'mail-test-6']);
    expect(got['wuzhi@jyj.example.cn']!.text).not.toContain('温县𠮷祥高级中学');
  });

  it('writes a Chinese subject that decodes exactly, CJK Extension B included, and shows no raw student id', () => {
    const wen = catcher.accepted.find((m) => m.to.includes('wen@jyj.example.cn'))!;
    expect(wen.subject).toBe('【严重】温县𠮷祥高级中学 3 条新告警：违规跨区域招生 3');
    expect(wen.text).toContain('温县𠮷祥高级中学');
    for (const m of catcher.accepted) {
      // Decoded (subject, text, HTML) and as sent (headers, encoded parts, attachments).
      const everything = [m.subject, m.text, m.html, m.raw].join('\n');
      for (const raw of [...WEN_STUDENTS, WUZHI_STUDENT]) expect(everything, `${raw} in the mail to ${m.to}`).not.toContain(raw.slice(0, 14));
    }
  });

  it('previews the email one alert makes, as the outbox holds it, without writing anything', async () => {
    const [[id]] = (await conn.runAndReadAll(`select id from alerts where school_id = '${WUZHI_HS}'`)).getRows() as [[string]];
    const outbox = async () => Number((await conn.runAndReadAll('select count(*) from outbox')).getRows()[0]![0]);
    const before = await outbox();
    const p = await previewEmail(conn, config, id, new Date('2025-07-12T03:00:00Z'));
    expect([p.contactId, p.routed, p.subject]).toEqual(['wuzhi', true, '【严重】武陟县第一高级中学 1 条新告警：违规跨区域招生 1']);
    expect(p.text).toContain('mail-test-6');
    expect(p.html).toContain('县中 5');
    // Previewed at the sweep's moment, it carries the links the sent email carries: the alert's page,
    // and an acknowledge link naming the alert and 武陟县, good for 7 days from the sweep.
    const sent = catcher.accepted.find((m) => m.to.includes('wuzhi@jyj.example.cn'))!;
    const view = `${CONSOLE}/alerts/${id}`;
    const ack = new RegExp(`确认告警：${CONSOLE}/l/([\\w-]+\\.[\\w-]+)$`, 'm').exec(p.text)?.[1];
    expect(verifyAckLink(ack, LINK_KEY, new Date('2025-07-12T03:00:00Z'))).toEqual({
      ok: true,
      alertId: id,
      contactId: 'wuzhi',
      expiresAt: new Date('2025-07-19T03:00:00Z'),
    });
    for (const body of [sent.text, p.text]) expect(body).toContain(`查看告警：${view}\n  确认告警：${CONSOLE}/l/${ack}\n`);
    for (const body of [sent.html, p.html]) {
      expect(body).toContain(`<a href="${view}" style="color:#1d4ed8">查看告警</a>`);
      expect(body).toContain(`<a href="${CONSOLE}/l/${ack}" style="color:#1d4ed8">确认告警</a>`);
    }
    expect(sent.text).toContain('请点击“确认告警”链接登录控制台确认');
    expect((await previewEmail(conn, config, id, new Date(), 'city')).contactId).toBe('city');
    await expect(previewEmail(conn, config, 'no-such-alert', new Date())).rejects.toThrow(/no alert 'no-such-alert'/);
    expect(await outbox()).toBe(before);
  });

  it('sends nothing again to anyone at the next sweep', async () => {
    await sweep('2025-07-12T11:00:10+08:00');
    expect(await delivered()).toEqual([]);
  });

  it('reminds after 24 hours, escalates after 3 days unacknowledged, and stops both once acknowledged', async () => {
    await round('2025-07-13T10:59:00+08:00');
    expect(await delivered()).toEqual([]);
    await round('2025-07-13T11:00:00+08:00');
    const reminders = byRecipient(await delivered());
    expect(Object.keys(reminders).sort()).toEqual(['city@jyj.example.cn', 'wen@jyj.example.cn', 'wuzhi@jyj.example.cn']);
    expect(reminders['wen@jyj.example.cn']!.subject).toContain('【提醒】');
    // 温县 acknowledges its three: no more reminders for them, and no escalation.
    const wenAlerts = await conn.runAndReadAll(`select id from alerts where school_id = '${WEN_HS}'`);
    for (const [id] of wenAlerts.getRows())
      expect(await ackAlert(conn, String(id), { note: '已核查，联系学校', outcome: 'confirmed', by: 'cli', at: '2025-07-15T09:00:00+08:00' })).toBe(true);
    await round('2025-07-15T11:00:00+08:00');
    const day3 = byRecipient(await delivered());
    expect(Object.keys(day3).sort()).toEqual(['city@jyj.example.cn', 'esc@jyj.example.cn', 'wuzhi@jyj.example.cn']);
    expect(eventIds(day3['esc@jyj.example.cn']!)).toEqual(['mail-test-6']);
    expect(day3['esc@jyj.example.cn']!.subject).toContain('【升级】');
    expect(eventIds(day3['city@jyj.example.cn']!)).toEqual(['mail-test-6']);
  });

  it('holds a violation found at night until 07:00, then sends it at once', async () => {
    await store([admit(WEN_HS, LATE_STUDENT, '410823', '2025-07-15T23:20:00+08:00')]);
    await sweep('2025-07-15T23:30:00+08:00');
    await round('2025-07-16T06:59:50+08:00');
    expect(await delivered()).toEqual([]);
    await round('2025-07-16T07:00:00+08:00');
    const got = byRecipient(await delivered());
    expect(Object.keys(got).sort()).toEqual(['city@jyj.example.cn', 'wen@jyj.example.cn']);
    expect(eventIds(got['wen@jyj.example.cn']!)).toEqual([`mail-test-${seq - 1}`]);
  });

  it('holds notices through the Spring Festival holiday (2026-02-15 to 02-23) and sends them when it ends', async () => {
    await store([admit(WEN_HS, FESTIVAL_STUDENT, '410823', '2026-02-17T09:00:00+08:00')]);
    const id = `mail-test-${seq - 1}`;
    await sweep('2026-02-17T10:00:00+08:00');
    for (const at of ['2026-02-17T10:00:10+08:00', '2026-02-20T12:00:00+08:00', '2026-02-23T23:00:00+08:00', '2026-02-24T06:59:00+08:00']) await round(at);
    expect(await delivered()).toEqual([]);
    // The holiday ends at midnight into the night window: the notices go out at 07:00 on the 24th.
    await round('2026-02-24T07:00:00+08:00');
    const got = (await delivered()).filter((m) => m.text.includes(id));
    expect(got.map((m) => m.to.join()).sort()).toEqual(['city@jyj.example.cn', 'wen@jyj.example.cn']);
  });

  it('sends the resolved notice of an alert resolved while the service was down, after it restarts', async () => {
    const [student] = WEN_STUDENTS;
    await store([ev('admission.cancelled', '2026-03-02T09:00:00+08:00', { school_id: WEN_HS, student_id: student, year: 2025 })]);
    // `edumon rules run` on the stopped warehouse: the alert resolves, no notification step.
    await applyRules(conn, [RULE], { config, asOf: '2026-03-02T10:00:00+08:00', watermarks: noWatermarks() });
    await sender.stop();
    senderConn.closeSync();
    conn.closeSync();
    instance.closeSync();
    // The restart: a new instance on the same file, a new sender, the first round.
    instance = await openWarehouse(join(dir, 'edumon.duckdb'));
    conn = await connect(instance);
    senderConn = await connect(instance);
    sender = startMailSender({ conn: senderConn, config, log: createLogger({ level: 'error' }) });
    await round('2026-03-02T10:00:10+08:00');
    // Those told of its opening (温县 and the city) are told it resolved, in the 已恢复 section
    // (beside their reminders of what is still open); nobody else hears of it.
    const got = (await delivered()).filter((m) => m.text.includes('mail-test-3'));
    expect(got.map((m) => m.to.join()).sort()).toEqual(['city@jyj.example.cn', 'wen@jyj.example.cn']);
    for (const m of got) expect(m.text.slice(m.text.indexOf('已恢复'))).toContain('mail-test-3');
  });

  it('delivered every email exactly once, by Message-ID', () => {
    for (const [key, n] of catcher.acceptedCounts()) expect(n, key).toBe(1);
  });
});

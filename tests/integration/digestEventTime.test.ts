/**
 * A week means event time everywhere in the digest (issue 22): 2025-W28's digest built on time
 * (events stored day by day up to the Monday it is due, the rules swept at 02:00 after each day
 * that had events and on that Monday, as the service's daily sweeps would) and built again after a backfill (every event of the period, later ones too, stored
 * at once into a fresh warehouse and the rules applied once at the end) say the same, model and
 * rendered text, but for the separately labelled part of what the system detected by the clock.
 * On main before issue 22 the backfilled digest said 没有未登记的学校 and 本周没有告警 (it
 * compared the alerts' opened_at, the moment of the backfill, with the week). And a contact listed
 * under 解放区 and 山阳区 receives both districts' figures, through the real sender and a real SMTP
 * server. Real DuckDB files, a small hand-made world.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyRules } from '../../alerts/applyRules.ts';
import { buildDigests, type DigestRecipient, digestRendering } from '../../alerts/digest/digestEmails.ts';
import type { Digest } from '../../alerts/digest/model.ts';
import { renderDigest } from '../../alerts/digest/render.ts';
import { parseIsoWeek } from '../../alerts/digest/week.ts';
import { writeDueDigests } from '../../alerts/digest/writeDueDigests.ts';
import { loadRules } from '../../alerts/rules.ts';
import { type Config, loadConfig } from '../../core/config.ts';
import { connect, openWarehouse } from '../../core/db.ts';
import { createLogger } from '../../core/log.ts';
import type { ContractEvent } from '../../domain/contract.ts';
import { pseudonymizeEvent } from '../../ingest/pseudonymize.ts';
import { migrate } from '../../pipeline/migrate.ts';
import { Sink } from '../../pipeline/sink.ts';
import { startMailSender } from '../../service/mailSender.ts';
import { pseudonym, RuleWorld } from '../helpers/ruleWorld.ts';
import { type SmtpCatcher, startSmtpCatcher } from '../helpers/smtpCatcher.ts';

const WEEK = parseIsoWeek('2025-W28'); // Monday 7 July to Sunday 13 July 2025
/** When W28's digest falls due, and when the backfill happens: well after the week. */
const DUE = '2025-07-14T08:00:00+08:00';
const BACKFILLED = '2025-07-21T02:00:00+08:00';
const HS = '3441210001';
/** Two school codes events name that the registry never knew: one first named before the period, one inside W28. */
const UNKNOWN_EARLY = '4108029901';
const UNKNOWN_IN_WEEK = '4108119902';

/**
 * 解放区 (95 of 100 children aged 3-5 in kindergarten), 山阳区 (88) and 武陟县 (90, then 98 from
 * 9 July: KG-GER resolves in W28); a 修武县 high school whose 2025 plan of 2 places is passed by an
 * admission on 12 July (ADM-OVER-QUOTA opens in W28) and again on 15 July (after the week); a child
 * at an unregistered kindergarten from 24 February and another from 9 July.
 */
function world(): RuleWorld {
  const w = new RuleWorld()
    .school('4108020001', { name: '解放区实验幼儿园', level: 'kindergarten', region_code: '410802' })
    .school('4108110001', { name: '山阳区实验幼儿园', level: 'kindergarten', region_code: '410811' })
    .school('4108230001', { name: '武陟县实验幼儿园', level: 'kindergarten', region_code: '410823' })
    .school(HS, { name: '修武县第一中学', level: 'high_school', region_code: '410821' });
  for (const code of ['410802', '410811', '410823'])
    w.add('population.reported', '2025-01-02T09:00:00+08:00', { region_code: code, year: 2025, age_3_5: 100, age_15_17: 100 });
  const kg = { level: 'kindergarten', grade: 1, year: 2025 } as const;
  w.students('4108020001', 95, { ...kg, class_id: 'k1', home_region_code: '410802' });
  w.students('4108110001', 88, { ...kg, class_id: 'k1', home_region_code: '410811' });
  w.students('4108230001', 90, { ...kg, class_id: 'k1', home_region_code: '410823' });
  w.students('4108230001', 8, { ...kg, class_id: 'k2', home_region_code: '410823' }, '2025-07-09T09:00:00+08:00');
  w.students(UNKNOWN_EARLY, 1, { ...kg, class_id: 'u1', home_region_code: '410802' }, '2025-02-24T09:00:00+08:00');
  w.students(UNKNOWN_IN_WEEK, 1, { ...kg, class_id: 'u2', home_region_code: '410811' }, '2025-07-09T10:00:00+08:00');
  w.add('admission_plan.published', '2025-07-10T08:00:00+08:00', {
    school_id: HS,
    year: 2025,
    plan_quota: 2,
    window_opens_at: '2025-07-10T09:00:00+08:00',
    window_closes_at: '2025-07-20T18:00:00+08:00',
  });
  const admit = (student: string, at: string) =>
    w.add('admission.admitted', at, { school_id: HS, student_id: student, year: 2025, home_region_code: '410821', admission_type: 'unified' });
  admit('a', '2025-07-11T10:00:00+08:00');
  admit('b', '2025-07-11T11:00:00+08:00');
  admit('c', '2025-07-12T10:00:00+08:00');
  admit('d', '2025-07-15T10:00:00+08:00');
  return w;
}

const config: Config = loadConfig({ env: { EDUMON_ENV: 'test' } });
const city: DigestRecipient = {
  contact: { id: 'city', name: '焦作市教育局', email: 'city@jyj.example.cn', minSeverity: 'info', language: 'zh-CN' },
  scope: '410800',
};
const xiuwu: DigestRecipient = {
  contact: { id: 'xiuwu', name: '修武县教育局', email: 'xw@jyj.example.cn', minSeverity: 'info', language: 'zh-CN' },
  scope: '410821',
};

let dir: string;
const opened: Array<{ instance: DuckDBInstance; conn: DuckDBConnection }> = [];
let onTime: { conn: DuckDBConnection; digests: Digest[] };
let backfilled: { conn: DuckDBConnection; digests: Digest[] };

async function warehouse(name: string): Promise<DuckDBConnection> {
  const instance = await openWarehouse(join(dir, name));
  const conn = await connect(instance);
  opened.push({ instance, conn });
  await migrate(conn);
  return conn;
}

/** Stores `events` through the real sink as the next batch of one partition. */
async function store(sink: Sink, events: readonly ContractEvent[], offset: { next: number }): Promise<void> {
  offset.next += events.length;
  const stored = events.map((e) => pseudonymizeEvent({ ...e }, pseudonym));
  await sink.write([{ topic: 'edu.digest-test', partition: 0, nextOffset: BigInt(offset.next), events: stored, rejections: [] }]);
}

/** Applies every rule as of `at`, the feeds' watermarks read from the warehouse as the service reads them; fails on a rule error. */
async function sweep(conn: DuckDBConnection, at: string): Promise<void> {
  const r = await applyRules(conn, loadRules(), { config, asOf: at, timeoutMs: config.rules.timeoutMs });
  for (const run of r.runs) expect(run.error, run.rule).toBeUndefined();
}

const build = async (conn: DuckDBConnection, now: string) => (await buildDigests(conn, config, WEEK, [city, xiuwu], new Date(now))).map((b) => b.digest);

/** The digest without what depends on when it was built or when the warehouse learnt of things (both labelled as such in it). */
const byEventTime = (d: Digest): Digest => ({ ...d, composedAt: WEEK.end, detected: undefined });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'edumon-digest-eventtime-'));
  const events = [...world().events].sort((a, b) => Date.parse(a.occurred_at) - Date.parse(b.occurred_at));

  // On time: what occurred before W27 in one batch, then each day's events and the 02:00 sweep after it, up to the Monday W28's digest is due.
  const conn = await warehouse('on-time.duckdb');
  const sink = await Sink.open(conn);
  const offset = { next: 0 };
  const first = Date.parse('2025-06-30T00:00:00+08:00');
  await store(
    sink,
    events.filter((e) => Date.parse(e.occurred_at) < first),
    offset,
  );
  await sweep(conn, '2025-06-30T02:00:00+08:00');
  for (let day = first; day < Date.parse(DUE); day += 86_400_000) {
    const todays = events.filter((e) => Date.parse(e.occurred_at) >= day && Date.parse(e.occurred_at) < day + 86_400_000);
    if (!todays.length) continue;
    await store(sink, todays, offset);
    // The next 02:00 (a day without events would sweep to the same alerts: left out, each sweep costs seconds here).
    await sweep(conn, new Date(day + 26 * 3_600_000).toISOString());
  }
  await sweep(conn, '2025-07-14T02:00:00+08:00');
  onTime = { conn, digests: await build(conn, DUE) };

  // After a backfill: every event of the period (15 July's admission too) at once, one sweep at the end.
  const fresh = await warehouse('backfill.duckdb');
  await store(await Sink.open(fresh), events, { next: 0 });
  await sweep(fresh, BACKFILLED);
  backfilled = { conn: fresh, digests: await build(fresh, '2025-07-21T08:00:00+08:00') };
}, 240_000);

afterAll(() => {
  for (const { conn, instance } of opened) {
    conn.closeSync();
    instance.closeSync();
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("the weekly digest's week is event time", () => {
  it('says the same built on time and after a backfill: every figure, the data quality, the alerts, in model and rendered text', async () => {
    const render = digestRendering(config);
    for (const [i, reader] of [city, xiuwu].entries()) {
      const a = byEventTime(onTime.digests[i]!);
      const b = byEventTime(backfilled.digests[i]!);
      expect(b, reader.scope).toEqual(a);
      const [ra, rb] = [await renderDigest(a, render('zh-CN', reader.scope)), await renderDigest(b, render('zh-CN', reader.scope))];
      expect(rb.subject).toBe(ra.subject);
      expect(rb.text).toBe(ra.text);
      expect(rb.html).toBe(ra.html);
    }
  });

  it('reports both unregistered schools, first named on 24 February and on 9 July, built late as on time', async () => {
    for (const d of [onTime.digests[0]!, backfilled.digests[0]!]) {
      expect(d.quality.unknownSchools).toBe(2);
      expect(d.quality.unknownSchoolList).toEqual([
        { schoolId: UNKNOWN_EARLY, firstSeen: '2025-02-24' },
        { schoolId: UNKNOWN_IN_WEEK, firstSeen: '2025-07-09' },
      ]);
      expect(d.quality.failedRules).toEqual([]);
      const { text } = await renderDigest(d, digestRendering(config)('zh-CN', '410800'));
      expect(text).not.toContain('没有未登记的学校');
      expect(text).toContain('未登记的学校 2 所');
      expect(text).toContain(`${UNKNOWN_EARLY}（2025-02-24 首次出现）`);
      expect(text).toContain(`${UNKNOWN_IN_WEEK}（2025-07-09 首次出现）`);
    }
  });

  it("lists the week's violations by when they occurred: the admission over plan on 12 July opened, 武陟县's enrolment rate resolved", async () => {
    for (const [city, county] of [onTime.digests, backfilled.digests]) {
      const count = (list: Digest['alerts']['opened'], rule: string, region: string | null) =>
        list.find((a) => a.rule === rule && a.region === region)?.count ?? 0;
      expect(count(city!.alerts.opened, 'ADM-OVER-QUOTA', '410821')).toBe(1);
      expect(count(city!.alerts.opened, 'DQ-UNKNOWN-SCHOOL', null)).toBe(1);
      expect(count(city!.alerts.stillOpen, 'DQ-UNKNOWN-SCHOOL', null)).toBe(2);
      expect(count(city!.alerts.resolved, 'KG-GER', '410823')).toBe(1);
      expect(count(city!.alerts.stillOpen, 'KG-GER', '410811')).toBe(1);
      // 修武县's digest: its own region's alerts, none of the others'.
      expect(county!.alerts.opened).toEqual([{ rule: 'ADM-OVER-QUOTA', region: '410821', count: 1 }]);
      const { text } = await renderDigest(county!, digestRendering(config)('zh-CN', '410821'));
      expect(text).not.toContain('本周没有告警');
      expect(text).toContain('本周新增 1 条');
    }
  });

  it('labels apart what the system detected by the clock: W28 opened the admission alert on time, the backfill opened nothing in W28', async () => {
    const onTimeCounty = onTime.digests[1]!.detected!;
    expect(onTimeCounty.opened).toEqual([{ rule: 'ADM-OVER-QUOTA', region: '410821', count: 1 }]);
    expect(backfilled.digests[1]!.detected).toEqual({ opened: [], flaps: [], oldestUnacked: [] });
    const render = digestRendering(config)('zh-CN', '410821');
    const late = (await renderDigest(backfilled.digests[1]!, render)).text;
    expect(late).toContain('系统本周发现的告警（按系统处理时间）');
    expect(late).toContain('本周系统没有打开新的告警。');
    expect((await renderDigest(onTime.digests[1]!, render)).text).toContain('本周系统首次发现或重新打开告警 1 条：');
  });
});

describe('a contact listed under two districts', () => {
  let catcher: SmtpCatcher;
  beforeAll(async () => {
    catcher = await startSmtpCatcher();
  });
  afterAll(async () => {
    await catcher?.stop();
  });

  it("receives both 解放区's and 山阳区's digests, each with its district's figures, and the city's contact the city's", async () => {
    const mailing = loadConfig({
      env: { EDUMON_ENV: 'test' },
      overrides: {
        'notify.smtpUrl': catcher.url,
        // The outbox rows are dated by the test's clock (July 2025): never given up for their age.
        'notify.giveUpAfterHours': 1e6,
        'notify.contacts': {
          '410802': [{ id: 'two', name: '城区联络员', email: 'two@jyj.example.cn' }],
          '410811': [{ id: 'two', name: '城区联络员', email: 'two@jyj.example.cn' }],
          '410800': [{ id: 'city', name: '焦作市教育局', email: 'city@jyj.example.cn' }],
        },
      },
    });
    const written = await writeDueDigests(onTime.conn, mailing, new Date(DUE), WEEK);
    expect(written.written).toBe(3);
    const senderConn = await connect(opened[0]!.instance);
    const sender = startMailSender({ conn: senderConn, config: mailing, log: createLogger({ level: 'error' }) });
    try {
      sender.wake();
      await sender.idle();
    } finally {
      await sender.stop();
      senderConn.closeSync();
    }
    const to = (address: string) => catcher.accepted.filter((m) => m.to.includes(address));
    const two = to('two@jyj.example.cn').sort((a, b) => a.subject.localeCompare(b.subject, 'zh'));
    expect(two.map((m) => m.subject.slice(0, m.subject.indexOf(' 指标')))).toEqual(
      expect.arrayContaining(['【周报】解放区 2025-W28', '【周报】山阳区 2025-W28']),
    );
    expect(two).toHaveLength(2);
    const jiefang = two.find((m) => m.subject.includes('解放区'))!;
    const shanyang = two.find((m) => m.subject.includes('山阳区'))!;
    // 学前三年毛入园率: 解放区 95 of 100, 山阳区 88 of 100; each email its own district's.
    expect(jiefang.text).toMatch(/解放区\s+95\.0%/);
    expect(jiefang.text).not.toContain('山阳区');
    expect(shanyang.text).toMatch(/山阳区\s+88\.0%/);
    expect(shanyang.text).not.toContain('解放区');
    const cityMail = to('city@jyj.example.cn');
    expect(cityMail).toHaveLength(1);
    expect(cityMail[0]!.text).toMatch(/解放区\s+95\.0%/);
    expect(cityMail[0]!.text).toMatch(/山阳区\s+88\.0%/);
    // Sent once: written again, nothing new.
    expect((await writeDueDigests(onTime.conn, mailing, new Date(DUE), WEEK)).written).toBe(0);
  });
});

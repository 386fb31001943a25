/**
 * The city's weekly digest names the rules officials judged often wrong (issue 23), a county's does
 * not: the digests of 2025-W28 built by buildDigests from a migrated in-memory warehouse (no events,
 * no broker) whose alerts and acknowledgements are written by hand, then rendered. A rule at the
 * floor, one under the minimum, one judged before the window and one judged after the week's end
 * are not listed; a rule judged in several regions is judged city-wide.
 */
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AckOutcome } from '../../alerts/alertStore.ts';
import { buildDigests, type DigestRecipient, digestRendering } from '../../alerts/digest/digestEmails.ts';
import { judgedOftenWrong } from '../../alerts/digest/judgedOftenWrong.ts';
import type { Digest } from '../../alerts/digest/model.ts';
import { renderDigest } from '../../alerts/digest/render.ts';
import { parseIsoWeek } from '../../alerts/digest/week.ts';
import { loadConfig } from '../../core/config.ts';
import { connect, openWarehouse } from '../../core/db.ts';
import { migrate } from '../../pipeline/migrate.ts';
import { writeAckedAlert } from '../helpers/ackedAlerts.ts';

const WEEK = parseIsoWeek('2025-W28'); // 7 to 13 July 2025; the window: 16 June to 13 July
const config = loadConfig({ env: { EDUMON_ENV: 'test' } }); // floor 0.7, minimum 5
const city: DigestRecipient = {
  contact: { id: 'city', name: '焦作市教育局', email: 'city@jyj.example.cn', minSeverity: 'info', language: 'zh-CN' },
  scope: '410800',
};
const wuzhi: DigestRecipient = {
  contact: { id: 'wuzhi', name: '武陟县教育局', email: 'wz@jyj.example.cn', minSeverity: 'info', language: 'zh-CN' },
  scope: '410823',
};

let instance: DuckDBInstance;
let conn: DuckDBConnection;
let digests: Digest[];

/** `outcomes.length` alerts of `rule` in `region` opened at `opened`, each acknowledged `hours` later with its outcome. */
async function judged(rule: string, region: string | null, outcomes: AckOutcome[], opened = '2025-07-08T02:00:00Z', hours = 3): Promise<void> {
  for (const [i, outcome] of outcomes.entries())
    await writeAckedAlert(conn, `${rule}-${region}-${opened}-${i}`, rule, region, [{ opened, acks: [[hours, outcome]] }]);
}

beforeAll(async () => {
  instance = await openWarehouse(':memory:');
  conn = await connect(instance);
  await migrate(conn);
  // 3 of 6 city-wide (50%): 1 of 3 in 山阳区, 2 of 3 in 武陟县, each region alone under the minimum.
  await judged('ADM-CROSS-REGION', '410811', ['confirmed', 'false_alarm', 'false_alarm']);
  await judged('ADM-CROSS-REGION', '410823', ['confirmed', 'fixed', 'data_wrong']);
  // A data-health rule (no region): 1 of 5 (20%).
  await judged('DQ-STALE-FEED', null, ['confirmed', 'data_wrong', 'data_wrong', 'data_wrong', 'data_wrong']);
  // At the floor: 7 of 10 (70%).
  await judged('ADM-CLASS-SIZE', '410823', [...Array(7).fill('confirmed'), ...Array(3).fill('false_alarm')]);
  // Under the minimum: 0 of 4.
  await judged('KG-GER', '410823', ['false_alarm', 'false_alarm', 'false_alarm', 'false_alarm']);
  // Opened before the window (10 June), judged in it.
  await judged('HS-GER', '410823', Array(5).fill('false_alarm'), '2025-06-10T02:00:00Z', 24 * 10);
  // Opened in the week, judged after its end (14 July): not yet, as of the week's end.
  await judged('ADM-OVER-QUOTA', '410823', Array(5).fill('false_alarm'), '2025-07-10T02:00:00Z', 24 * 4);
  digests = (await buildDigests(conn, config, WEEK, [city, wuzhi], new Date('2025-07-14T08:00:00+08:00'))).map((b) => b.digest);
});
afterAll(() => {
  conn.closeSync();
  instance.closeSync();
});

describe('the rules officials judged often wrong in the weekly digest', () => {
  it('are the city’s: each rule with enough judged alerts below the floor, city-wide, lowest precision first', () => {
    const [cityDigest, countyDigest] = digests;
    expect(cityDigest!.judged).toEqual({
      since: '2025-06-15T16:00:00.000Z',
      until: WEEK.end,
      days: 28,
      floor: 0.7,
      minimum: 5,
      rules: [
        { rule: 'DQ-STALE-FEED', judged: 5, precision: 0.2, confirmed: 1, fixed: 0, dataWrong: 4, falseAlarm: 0 },
        { rule: 'ADM-CROSS-REGION', judged: 6, precision: 0.5, confirmed: 2, fixed: 1, dataWrong: 1, falseAlarm: 2 },
      ],
    });
    expect(countyDigest!.judged).toBeUndefined();
  });

  it('show in the city’s email with the rules’ titles, not in a county’s', async () => {
    const optionsFor = digestRendering(config);
    const cityText = (await renderDigest(digests[0]!, optionsFor('zh-CN', city.scope))).text;
    const section = cityText.slice(cityText.indexOf('== 研判准确率偏低的规则（2） =='));
    expect(section).toMatch(/DQ-STALE-FEED 数据源中断[^\n]* +5 +20\.0% +4 +0\n/);
    expect(section).toMatch(/ADM-CROSS-REGION [^\n]* +6 +50\.0% +1 +2\n/);
    for (const rule of ['ADM-CLASS-SIZE', 'KG-GER', 'HS-GER', 'ADM-OVER-QUOTA']) expect(section).not.toContain(rule);
    const county = await renderDigest(digests[1]!, optionsFor('zh-CN', wuzhi.scope));
    for (const body of [county.html, county.text]) expect(body).not.toContain('研判准确率');
  });

  it('list a rule at the floor once the floor is above it, and one under the minimum once the minimum allows it', async () => {
    const listed = async (digest: Partial<typeof config.digest>) =>
      (await judgedOftenWrong(conn, WEEK, { ...config.digest, ...digest })).rules.map((r) => r.rule);
    expect(await listed({ judgedPrecisionFloor: 0.71 })).toEqual(['DQ-STALE-FEED', 'ADM-CROSS-REGION', 'ADM-CLASS-SIZE']);
    expect(await listed({ judgedMinimum: 4 })).toEqual(['KG-GER', 'DQ-STALE-FEED', 'ADM-CROSS-REGION']);
  });
});

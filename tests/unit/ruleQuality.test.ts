/**
 * ruleQuality (alerts/ruleQuality.ts) on a migrated in-memory warehouse whose alerts,
 * alert_transitions and alert_acks rows are written by hand: raised occurrences, the share
 * acknowledged, the median hours to the first acknowledgement, the latest acknowledgement's outcome,
 * precision as officials judged it, the window, the region split and the data-health rules' null region.
 */
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RuleQualityRow, ruleQuality } from '../../alerts/ruleQuality.ts';
import { connect, openWarehouse } from '../../core/db.ts';
import { migrate } from '../../pipeline/migrate.ts';
import { writeAckedAlert } from '../helpers/ackedAlerts.ts';

let instance: DuckDBInstance;
let conn: DuckDBConnection;

const HOUR = 3_600_000;
const at = (iso: string, hours = 0) => new Date(Date.parse(iso) + hours * HOUR).toISOString();

const JULY_1 = '2025-07-01T02:00:00.000Z';
const JULY_3 = '2025-07-03T02:00:00.000Z';
const JUNE_1 = '2025-06-01T02:00:00.000Z';

beforeAll(async () => {
  instance = await openWarehouse(':memory:');
  conn = await connect(instance);
  await migrate(conn);
  // ADM-OVER-QUOTA in 武陟县: 5 occurrences, 4 acknowledged after 2, 4, 6 and 8 hours; one of
  // each outcome, a false alarm later corrected to data_wrong, and the first alert reopened.
  await writeAckedAlert(conn, 'a1', 'ADM-OVER-QUOTA', '410823', [
    { opened: JULY_1, acks: [[2, 'confirmed']] },
    { opened: JULY_3, acks: [[8, 'false_alarm']] },
  ]);
  await writeAckedAlert(conn, 'a2', 'ADM-OVER-QUOTA', '410823', [
    {
      opened: JULY_1,
      acks: [
        [4, 'false_alarm'],
        [10, 'data_wrong'],
      ],
    },
  ]);
  await writeAckedAlert(conn, 'a3', 'ADM-OVER-QUOTA', '410823', [{ opened: JULY_1, acks: [[6, 'fixed']] }]);
  await writeAckedAlert(conn, 'a4', 'ADM-OVER-QUOTA', '410823', [{ opened: JULY_1 }]);
  // The same rule in 温县: one alert, judged a false alarm after an hour.
  await writeAckedAlert(conn, 'a5', 'ADM-OVER-QUOTA', '410825', [{ opened: JULY_1, acks: [[1, 'false_alarm']] }]);
  // KG-GER in 武陟县: acknowledged without an outcome; and judged, then acknowledged again without one.
  await writeAckedAlert(conn, 'k1', 'KG-GER', '410823', [{ opened: JULY_1, acks: [[3, null]] }]);
  await writeAckedAlert(conn, 'k2', 'KG-GER', '410823', [
    {
      opened: JULY_1,
      acks: [
        [1, 'confirmed'],
        [5, null],
      ],
    },
  ]);
  // A data-health alert (no region), confirmed after 12 hours.
  await writeAckedAlert(conn, 'd1', 'DQ-STALE-FEED', null, [{ opened: JULY_1, acks: [[12, 'confirmed']] }]);
  // Opened in June, judged in July: outside a July window.
  await writeAckedAlert(conn, 'h1', 'HS-GER', '410821', [{ opened: JUNE_1, acks: [[24 * 35, 'false_alarm']] }]);
});
afterAll(() => {
  conn.closeSync();
  instance.closeSync();
});

const find = (rows: RuleQualityRow[], rule: string, region: string | null) => {
  const found = rows.filter((r) => r.rule === rule && r.region === region);
  if (found.length !== 1) throw new Error(`${found.length} rows for ${rule} ${region}`);
  return found[0]!;
};

describe('ruleQuality', () => {
  it('counts raised occurrences, the acknowledged share, the median hours and precision per rule and region', async () => {
    const rows = await ruleQuality(conn);
    expect(find(rows, 'ADM-OVER-QUOTA', '410823')).toEqual({
      rule: 'ADM-OVER-QUOTA',
      title: { zh: '超计划招生', en: 'Admissions above the approved plan' },
      region: '410823',
      raised: 5,
      acked: 4,
      ackedShare: 0.8,
      medianHoursToAck: 5,
      confirmed: 1,
      fixed: 1,
      dataWrong: 1,
      falseAlarm: 1,
      judged: 4,
      precision: 0.5,
    });
  });

  it('splits a rule by region, and gives a data-health rule’s alerts a null region, first', async () => {
    const rows = await ruleQuality(conn);
    expect(rows.map((r) => [r.rule, r.region])).toEqual([
      ['ADM-OVER-QUOTA', '410823'],
      ['ADM-OVER-QUOTA', '410825'],
      ['DQ-STALE-FEED', null],
      ['HS-GER', '410821'],
      ['KG-GER', '410823'],
    ]);
    expect(find(rows, 'ADM-OVER-QUOTA', '410825')).toMatchObject({ raised: 1, acked: 1, falseAlarm: 1, judged: 1, precision: 0, medianHoursToAck: 1 });
    expect(find(rows, 'DQ-STALE-FEED', null)).toMatchObject({ raised: 1, confirmed: 1, precision: 1, medianHoursToAck: 12 });
    expect(await ruleQuality(conn, { region: '410825' })).toEqual([find(rows, 'ADM-OVER-QUOTA', '410825')]);
  });

  it('counts the latest acknowledgement’s outcome, the first one’s time', async () => {
    // a2: false_alarm after 4 hours, data_wrong after 10: counted data_wrong, acknowledged after 4.
    const [a2] = await ruleQuality(conn, { region: '410823', since: new Date(JULY_1), until: new Date(JULY_3) }).then((r) =>
      r.filter((x) => x.rule === 'ADM-OVER-QUOTA'),
    );
    expect(a2).toMatchObject({ raised: 4, acked: 3, confirmed: 1, fixed: 1, dataWrong: 1, falseAlarm: 0, medianHoursToAck: 4 });
    expect(a2!.precision).toBeCloseTo(2 / 3, 12);
  });

  it('leaves precision null when nothing was judged, and an outcome taken back by a later ack without one unjudged', async () => {
    const kg = find(await ruleQuality(conn), 'KG-GER', '410823');
    expect(kg).toMatchObject({ raised: 2, acked: 2, ackedShare: 1, judged: 0, confirmed: 0, precision: null, medianHoursToAck: 2 });
  });

  it('counts the occurrences opened in [since, until) and the acknowledgements made before until', async () => {
    const july = { since: new Date('2025-07-01T00:00:00Z'), until: new Date('2025-08-01T00:00:00Z') };
    const rows = await ruleQuality(conn, july);
    expect(rows.some((r) => r.rule === 'HS-GER')).toBe(false);
    // As of 6 hours after the July 1 openings: a1 and a2 acknowledged (as a false alarm, not yet corrected), a3 not yet.
    const early = find(await ruleQuality(conn, { since: july.since, until: new Date(at(JULY_1, 5)) }), 'ADM-OVER-QUOTA', '410823');
    expect(early).toMatchObject({
      raised: 4,
      acked: 2,
      ackedShare: 0.5,
      confirmed: 1,
      falseAlarm: 1,
      fixed: 0,
      dataWrong: 0,
      precision: 0.5,
      medianHoursToAck: 3,
    });
    // An occurrence with no acknowledgement before until: raised, not acknowledged, no median.
    expect(find(await ruleQuality(conn, { until: new Date(at(JUNE_1, 1)) }), 'HS-GER', '410821')).toMatchObject({
      raised: 1,
      acked: 0,
      ackedShare: 0,
      medianHoursToAck: null,
      precision: null,
    });
  });

  it('counts an acknowledgement made before alert_acks kept them (migration 0011) from the alerts row', async () => {
    await conn.run(
      `insert into alerts (id, rule, region_code, period, severity, status, occurrence, opened_at, last_seen_at, acked_at)
       values ('old', 'WAGE-LATE', '410882', '2025-05', 'warning', 'open', 1, '2025-05-01T02:00:00Z', '2025-05-01T02:00:00Z', '2025-05-02T02:00:00Z')`,
    );
    await conn.run(`insert into alert_transitions values ('old', 'open', 1, '2025-05-01T02:00:00Z')`);
    expect(find(await ruleQuality(conn), 'WAGE-LATE', '410882')).toMatchObject({ raised: 1, acked: 1, medianHoursToAck: 24, judged: 0, precision: null });
  });
});

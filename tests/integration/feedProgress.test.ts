/**
 * Feed progress: written with the offsets, per feed and partition, never moved back by a replay,
 * stamped with when the feed's events arrived (the sink's clock) and payroll's latest month; the
 * watermarks read from it.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { expect, it } from 'vitest';
import { loadWatermarks } from '../../alerts/feedWatermarks.ts';
import { loadConfig } from '../../core/config.ts';
import { connect } from '../../core/db.ts';
import { pseudonymizeEvent } from '../../ingest/pseudonymize.ts';
import { migrate } from '../../pipeline/migrate.ts';
import { Sink } from '../../pipeline/sink.ts';
import { pseudonym } from '../helpers/ruleWorld.ts';

const wage = (id: string, at: string) =>
  pseudonymizeEvent(
    { event_id: id, type: 'wage.paid', occurred_at: at, school_id: '3441210001', staff_id: 'JZ1', period: '2025-02', amount_yuan: 10 } as never,
    pseudonym,
  );
const funds = (id: string, at: string) =>
  pseudonymizeEvent(
    { event_id: id, type: 'funds.disbursed', occurred_at: at, school_id: '3441210001', fiscal_year: 2025, fund_type: 'facility', amount_yuan: 10 } as never,
    pseudonym,
  );

it('keeps each feed its greatest occurred_at per partition, in the offsets transaction, and a replay from the earliest offset does not move it back', async () => {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await connect(instance);
  try {
    await migrate(conn);
    // The sink's clock: the moment the batches arrive.
    let arrival = Date.parse('2025-03-15T12:00:00+08:00');
    const sink = await Sink.open(conn, { clock: () => arrival });
    const progress = async () =>
      (
        await conn.runAndReadAll(
          `select feed, "partition", strftime(timezone('UTC', max_occurred_at), '%Y-%m-%dT%H:%M:%SZ') as at from feed_progress order by feed, "partition"`,
        )
      ).getRowObjectsJson();
    await sink.write([
      {
        topic: 'edu.funding',
        partition: 0,
        nextOffset: 3n,
        events: [wage('w1', '2025-03-09T10:00:00+08:00'), wage('w2', '2025-03-01T10:00:00+08:00'), funds('f1', '2025-03-15T10:00:00+08:00')],
        rejections: [],
      },
      { topic: 'edu.funding', partition: 1, nextOffset: 1n, events: [wage('w3', '2025-03-05T10:00:00+08:00')], rejections: [] },
    ]);
    const first = [
      { feed: 'funds', partition: 0, at: '2025-03-15T02:00:00Z' },
      { feed: 'payroll', partition: 0, at: '2025-03-09T02:00:00Z' },
      { feed: 'payroll', partition: 1, at: '2025-03-05T02:00:00Z' },
    ];
    expect(await progress()).toEqual(first);
    const arrived = async () =>
      (
        await conn.runAndReadAll(`select feed, "partition", epoch_ms(updated_at)::bigint as arrived, max_period from feed_progress order by feed, "partition"`)
      ).getRowObjectsJson();
    expect(await arrived()).toEqual([
      { feed: 'funds', partition: 0, arrived: String(arrival), max_period: null },
      { feed: 'payroll', partition: 0, arrived: String(arrival), max_period: '2025-02' },
      { feed: 'payroll', partition: 1, arrived: String(arrival), max_period: '2025-02' },
    ]);
    // Replayed from the earliest offset an hour later: the same and earlier events again. Progress
    // stays; the arrival is new (the feed is not quiet while its events keep coming).
    arrival += 3_600_000;
    await sink.write([{ topic: 'edu.funding', partition: 0, nextOffset: 1n, events: [wage('w2', '2025-03-01T10:00:00+08:00')], rejections: [] }]);
    expect(await progress()).toEqual(first);
    expect((await arrived())[1]).toEqual({ feed: 'payroll', partition: 0, arrived: String(arrival), max_period: '2025-02' });
    // A failed write leaves no progress behind.
    const failing = await Sink.open(conn, {
      failpoint: () => {
        throw new Error('disk full');
      },
    });
    await expect(
      failing.write([{ topic: 'edu.funding', partition: 1, nextOffset: 2n, events: [wage('w4', '2025-04-09T10:00:00+08:00')], rejections: [] }]),
    ).rejects.toThrow('disk full');
    expect(await progress()).toEqual(first);
    // Payroll follows funds, the most complete feed (February's wages explain its quiet until March's are due).
    const w = await loadWatermarks(conn, loadConfig({ env: {} }));
    expect(new Date(w.payroll.at!).toISOString()).toBe('2025-03-15T01:50:00.000Z');
    expect(w.payroll.lastEventAt).toBe(Date.parse('2025-03-09T02:00:00Z'));
    expect(w.registry.at).toBeNull();
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
});

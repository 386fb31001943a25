/** The warehouse itself (a real DuckDB file, no Kafka): what the sink writes and the views show. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, openWarehouse } from '../../core/db.ts';
import type { ContractEvent } from '../../domain/contract.ts';
import { createPseudonymizer, pseudonymizeEvent, type StoredEvent } from '../../ingest/pseudonymize.ts';
import { migrate } from '../../pipeline/migrate.ts';
import { Sink } from '../../pipeline/sink.ts';
import { validEvents } from '../fixtures/events.ts';

const p = createPseudonymizer('warehouse-test-key-0123456789');
const stored = (e: ContractEvent): StoredEvent => pseudonymizeEvent(structuredClone(e), p);

describe('the warehouse', () => {
  let instance: DuckDBInstance;
  let conn: DuckDBConnection;
  let sink: Sink;
  const rows = async (sql: string) => (await conn.runAndReadAll(sql)).getRowObjectsJson();

  beforeAll(async () => {
    instance = await openWarehouse(join(mkdtempSync(join(tmpdir(), 'edumon-wh-')), 'w.duckdb'));
    conn = await connect(instance);
    await migrate(conn);
    sink = await Sink.open(conn);
  });
  afterAll(() => {
    conn.closeSync();
    instance.closeSync();
  });

  it('migrates idempotently', async () => {
    expect((await migrate(conn)).applied).toEqual([]);
  });

  it('stores the instant an event happened, whatever offset it was written with', async () => {
    const [wage] = validEvents(12, 5).filter((e) => e.type === 'wage.paid');
    const e = { ...wage!, event_id: 'tz-1', occurred_at: '2025-10-10T16:30:00Z' } as ContractEvent;
    const f = { ...wage!, event_id: 'tz-2', occurred_at: '2025-10-11T00:30:00+08:00' } as ContractEvent;
    await sink.write([{ topic: 't', partition: 0, nextOffset: 2n, events: [stored(e), stored(f)], rejections: [] }]);
    const r = await rows(
      `select event_id, strftime(timezone('Asia/Shanghai', occurred_at), '%Y-%m-%d %H:%M') as local from wage_payments where event_id like 'tz-%' order by 1`,
    );
    // Dates are Shanghai dates (docs/rules.md): a wage paid at 2025-10-10T16:30:00Z was paid on 11 October.
    expect(r).toEqual([
      { event_id: 'tz-1', local: '2025-10-11 00:30' },
      { event_id: 'tz-2', local: '2025-10-11 00:30' },
    ]);
  });

  it('stores a redelivered event_id once, and keeps money exact to the fen', async () => {
    const [fund] = validEvents(12, 6).filter((e) => e.type === 'funds.disbursed');
    const e = { ...fund!, event_id: 'dup-1', amount_yuan: 1234567.89 } as ContractEvent;
    await sink.write([{ topic: 't', partition: 1, nextOffset: 1n, events: [stored(e), stored(e)], rejections: [] }]);
    const res = await sink.write([{ topic: 't', partition: 1, nextOffset: 2n, events: [stored(e)], rejections: [] }]);
    expect(res).toEqual({ stored: 0, duplicates: 1, rejected: 0 });
    expect(await rows(`select amount_yuan::varchar as a, count(*)::int as n from fund_disbursements where event_id = 'dup-1' group by 1`)).toEqual([
      { a: '1234567.89', n: 1 },
    ]);
  });

  it('writes a batch, its rejections and its offset all or nothing', async () => {
    const before = await rows(`select (select count(*) from admissions) a, (select count(*) from rejections) r`);
    const good = validEvents(12, 8).find((e) => e.type === 'admission.admitted')!;
    const broken = { ...validEvents(12, 8).find((e) => e.type === 'school.upserted')!, event_id: 'broken', name: undefined } as unknown as ContractEvent;
    await expect(
      sink.write([
        {
          topic: 'atomic',
          partition: 0,
          nextOffset: 3n,
          events: [stored({ ...good, event_id: 'atomic-1' } as ContractEvent), stored(broken)],
          rejections: [{ offset: 2n, reason: 'not valid JSON', sha256: 'ab'.repeat(32), bytes: 3 }],
        },
      ]),
    ).rejects.toThrow(/NOT NULL/i);
    expect(await rows(`select (select count(*) from admissions) a, (select count(*) from rejections) r`)).toEqual(before);
    expect([...(await sink.loadOffsets()).keys()].some((k) => k.startsWith('atomic'))).toBe(false);
  });

  it('keeps every registry version and shows the latest as current (ties broken by event_id)', async () => {
    const school = validEvents(1, 9)[0]!;
    const v = (id: string, at: string, capacity: number) =>
      stored({ ...school, event_id: id, occurred_at: at, school_id: '3441089999', capacity } as ContractEvent);
    await sink.write([
      {
        topic: 'reg',
        partition: 0,
        nextOffset: 3n,
        events: [v('s-b', '2025-03-01T08:00:00+08:00', 300), v('s-a', '2025-03-01T08:00:00+08:00', 200), v('s-old', '2024-03-01T08:00:00+08:00', 100)],
        rejections: [],
      },
    ]);
    expect(await rows(`select count(*)::int n from school_versions where school_id = '3441089999'`)).toEqual([{ n: 3 }]);
    expect(await rows(`select event_id, capacity from current_schools where school_id = '3441089999'`)).toEqual([{ event_id: 's-b', capacity: 300 }]);
  });
});

/** What every exactly-once scenario must end with, checked against the real warehouse, DLQ and logs. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Kafka } from 'kafkajs';
import { expect, it } from 'vitest';
import { topicsOf } from '../../domain/topics.ts';
import type { Load } from '../fixtures/load.ts';
import { readTopic } from './kafka.ts';
import { diffWarehouses } from './reference.ts';
import type { TestEnv } from './testEnv.ts';
import { queryWarehouse } from './warehouse.ts';

export async function expectWarehouseEqualsReference(t: TestEnv, reference: string, load: Pick<Load, 'valid'>): Promise<void> {
  const diff = await diffWarehouses(t.config.warehouse, reference);
  let total = 0;
  for (const [table, d] of Object.entries(diff)) {
    expect({ table, ...d }).toEqual({ table, actual: d.reference, reference: d.reference, onlyActual: 0, onlyReference: 0 });
    total += d.actual;
  }
  expect(total).toBe(load.valid.length);
}

export async function expectEveryMalformedRejectedAndInDlq(t: TestEnv, load: Load, kafka: Kafka): Promise<void> {
  const rejections = await queryWarehouse<{ topic: string; partition: number; offset: string; reason: string; payload_sha256: string }>(
    t.config.warehouse,
    `select topic, "partition" as partition, "offset"::varchar as "offset", reason, payload_sha256 from rejections`,
  );
  expect(rejections).toHaveLength(load.malformedCount);
  for (const r of rejections) expect(r.reason.length).toBeGreaterThan(5);
  const keyOf = (topic: string, partition: number | string, offset: string) => `${topic}/${partition}/${offset}`;
  const dlq = await readTopic(
    kafka,
    topicsOf(t.config).dlq,
    (msgs) =>
      new Set(msgs.map((m) => keyOf(m.headers['edumon-topic']!, m.headers['edumon-partition']!, m.headers['edumon-offset']!))).size >= load.malformedCount,
  );
  const dlqByKey = new Map(dlq.map((m) => [keyOf(m.headers['edumon-topic']!, m.headers['edumon-partition']!, m.headers['edumon-offset']!), m]));
  expect(dlqByKey.size).toBe(load.malformedCount);
  for (const r of rejections) {
    const m = dlqByKey.get(keyOf(r.topic, r.partition, r.offset));
    expect(m, `DLQ copy of ${keyOf(r.topic, r.partition, r.offset)}`).toBeDefined();
    // The DLQ holds the original bytes, unchanged; the warehouse only their hash.
    expect(
      createHash('sha256')
        .update(m!.value ?? Buffer.alloc(0))
        .digest('hex'),
    ).toBe(r.payload_sha256);
    expect(m!.headers['edumon-reason']).toBe(r.reason);
  }
}

/** No raw student or staff id in the warehouse (file bytes and every text column) or the logs. */
export async function expectNoRawIds(t: TestEnv, load: Load, logs: string): Promise<void> {
  const tokens = (text: string) => text.match(/[0-9A-Z][0-9A-Z-]{7,}/g) ?? [];
  const leakedInFile = tokens(readFileSync(t.config.warehouse).toString('latin1')).filter((s) => load.rawIds.has(s));
  expect(leakedInFile).toEqual([]);
  const leakedInLogs = tokens(logs).filter((s) => load.rawIds.has(s));
  expect(leakedInLogs).toEqual([]);
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  await conn.run(`attach '${t.config.warehouse}' as w (read_only)`);
  await conn.run(`create table raw_ids (id varchar)`);
  const app = await conn.createAppender('raw_ids');
  for (const id of load.rawIds) {
    app.appendVarchar(id);
    app.endRow();
  }
  app.closeSync();
  const columns = (
    await conn.runAndReadAll(`select table_name, column_name from information_schema.columns where table_catalog = 'w' and data_type = 'VARCHAR'`)
  ).getRows();
  expect(columns.length).toBeGreaterThan(20);
  for (const [table, column] of columns) {
    const hits = (await conn.runAndReadAll(`select count(*) from w.main."${table}" x join raw_ids on x."${column}" = raw_ids.id`)).getRows()[0]![0];
    expect(Number(hits), `${table}.${column} holds raw ids`).toBe(0);
  }
  conn.closeSync();
  instance.closeSync();
}

/**
 * The three outcomes every exactly-once scenario must end with, as tests: the warehouse equals
 * the clean reference, every malformed message is a rejection row and a DLQ message, and no raw
 * id is anywhere. `logs` is read when the test runs, after the scenario has collected them.
 */
export function itEndsExactlyOnce(t: TestEnv, reference: string, load: Load, kafka: Kafka, logs: () => string): void {
  it('stores exactly the distinct valid events, the same as a clean load', async () => {
    await expectWarehouseEqualsReference(t, reference, load);
  });

  it('records every malformed message as a rejection and forwards the original to edu.dlq', async () => {
    await expectEveryMalformedRejectedAndInDlq(t, load, kafka);
  });

  it('keeps raw student and staff ids out of the warehouse, the rejection rows and the logs', async () => {
    await expectNoRawIds(t, load, logs());
  });
}

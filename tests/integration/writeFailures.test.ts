/**
 * CONTRACT: one bad record never stops the others, and a failed warehouse write never lets a later
 * offset through. A write that keeps failing (injected: failpoints.sinkWrite) stops `edumon run
 * --until-idle` within seconds, non-zero, with the warehouse holding exactly the events below its
 * stored offsets; a restart resumes there. A record the warehouse refuses (a CHECK constraint the
 * contract cannot see) becomes a rejection and a DLQ message while its batch is stored.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ContractEvent, familyOf, messageKey } from '../../domain/contract.ts';
import { eventTopicsOf, topicsOf } from '../../domain/topics.ts';
import { decodeBytes } from '../../ingest/decode.ts';
import { validEvents } from '../fixtures/events.ts';
import { buildLoad } from '../fixtures/load.ts';
import { type Running, runEdumon, runEdumonWithin, spawnEdumon, waitFor } from '../helpers/cli.ts';
import { publishRaw, type RawMessage, type ReadMessage, readTopic, testKafka } from '../helpers/kafka.ts';
import { buildReference } from '../helpers/reference.ts';
import { TEST_KEY, type TestEnv, testEnv } from '../helpers/testEnv.ts';
import { expectWarehouseEqualsReference } from '../helpers/verifyLoad.ts';
import { queryWarehouse, storedEventIds } from '../helpers/warehouse.ts';

const kafka = testKafka();
/** Every event_id the warehouse holds. */
const storedIds = async (warehouse: string) => new Set(await storedEventIds(warehouse));

describe('a warehouse write that keeps failing', () => {
  // Small fetches and transactions: the failure lands mid-stream, with groups queued behind it.
  const t = testEnv('writefail', {
    EDUMON_KAFKA_MAX_BYTES_PER_PARTITION: '65536',
    EDUMON_COMMIT_MAX_EVENTS: '1000',
    EDUMON_WRITE_RETRIES: '2',
    EDUMON_WRITE_RETRY_BACKOFF_MS: '50',
  });
  const load = buildLoad(t.config, 20_000, 11);
  const reference = join(t.dir, 'reference.duckdb');
  let failed: { code: number | null; output: string };

  beforeAll(async () => {
    await buildReference(reference, load.valid, TEST_KEY);
    await publishRaw(kafka, load.messages);
    failed = await runEdumonWithin(['run', '--until-idle'], { ...t.env, EDUMON_FAILPOINT_SINK_WRITE: 'after=4' }, 60_000);
  }, 300_000);

  it('stops `run --until-idle` within seconds, non-zero, after retrying, naming the failure', () => {
    expect(failed.code, failed.output).toBe(1);
    expect(failed.output).toMatch(/warehouse write failed; retrying.*attempt=2/);
    expect(failed.output).toMatch(/edumon: warehouse write failed: IO Error: injected failure/);
  });

  it('stores exactly the events below each stored offset: nothing queued behind the failed write got through', async () => {
    const offsets = await queryWarehouse<{ topic: string; partition: number; next_offset: string }>(
      t.config.warehouse,
      `select topic, "partition" as partition, next_offset::varchar as next_offset from ingest_offsets`,
    );
    const next = new Map(offsets.map((o) => [`${o.topic}/${o.partition}`, BigInt(o.next_offset)]));
    const expected = new Set<string>();
    const where = new Map<string, string[]>();
    let total = 0;
    let below = 0;
    for (const name of eventTopicsOf(t.config)) {
      const published = load.messages.filter((m) => m.topic === name).length;
      // A reader's rebalance may deliver a message twice: count each offset once.
      const distinct = (msgs: ReadMessage[]) => [...new Map(msgs.map((m) => [`${m.partition}@${m.offset}`, m])).values()];
      const msgs = distinct(await readTopic(kafka, name, (m) => distinct(m).length >= published));
      expect(msgs).toHaveLength(published);
      for (const m of msgs) {
        total++;
        const d = decodeBytes(m.value);
        const stop = next.get(`${name}/${m.partition}`) ?? 0n;
        if (d.ok) where.set(d.event.event_id, [...(where.get(d.event.event_id) ?? []), `${name}/${m.partition}@${m.offset} (stored below ${stop})`]);
        if (BigInt(m.offset) >= stop) continue;
        below++;
        if (d.ok) expected.add(d.event.event_id);
      }
    }
    // The failure came mid-stream: some of the load was stored, most was not.
    expect(below).toBeGreaterThan(0);
    expect(below).toBeLessThan(total);
    const stored = await storedIds(t.config.warehouse);
    const beyond = [...stored].filter((id) => !expected.has(id)).map((id) => `${id}: ${where.get(id)?.join(', ') ?? 'not in the topics'}`);
    const lost = [...expected].filter((id) => !stored.has(id)).map((id) => `${id}: ${where.get(id)?.join(', ')}`);
    expect({ beyond, lost }).toEqual({ beyond: [], lost: [] });
  });

  it('resumes at the first unstored offset once the warehouse is healthy, and ends equal to a clean load', async () => {
    const r = await runEdumonWithin(['run', '--until-idle'], t.env, 120_000);
    expect(r.code, r.output).toBe(0);
    await expectWarehouseEqualsReference(t, reference, load);
  });
});

describe('a warehouse write that fails twice and then succeeds', () => {
  const t = testEnv('writeretry', {
    EDUMON_COMMIT_MAX_EVENTS: '1000',
    EDUMON_WRITE_RETRIES: '3',
    EDUMON_WRITE_RETRY_BACKOFF_MS: '50',
    EDUMON_FAILPOINT_SINK_WRITE: 'after=1,times=2',
  });
  const load = buildLoad(t.config, 5_000, 12);
  const reference = join(t.dir, 'reference.duckdb');

  it('is retried: the run ends 0 with everything stored once', async () => {
    await buildReference(reference, load.valid, TEST_KEY);
    await publishRaw(kafka, load.messages);
    const r = await runEdumonWithin(['run', '--until-idle'], t.env, 120_000);
    expect(r.code, r.output).toBe(0);
    expect(r.output.match(/warehouse write failed; retrying/g)).toHaveLength(2);
    await expectWarehouseEqualsReference(t, reference, load);
  }, 300_000);
});

describe('records the warehouse cannot take', () => {
  const t = testEnv('refused');
  const topics = topicsOf(t.config);
  const valid = validEvents(600, 21);
  const school = valid.find((e) => e.type === 'school.upserted')!;
  const poison = { ...school, event_id: 'poison-school', name: 'POISON' } as ContractEvent;
  const huge = { ...school, event_id: 'huge-school', capacity: 3_000_000_000 };
  const message = (e: unknown): RawMessage => ({ topic: topics.registry, key: messageKey(school), value: Buffer.from(JSON.stringify(e)) });
  const reference = join(t.dir, 'reference.duckdb');
  let run: { code: number | null; output: string };

  beforeAll(async () => {
    // Serialised first: building the reference pseudonymises the events in place.
    const msgs: RawMessage[] = valid.map((e) => ({ topic: topics[familyOf[e.type]], key: messageKey(e), value: Buffer.from(JSON.stringify(e)) }));
    await buildReference(reference, valid, TEST_KEY);
    // A constraint the contract cannot see: the warehouse, not validation, refuses one school.
    expect((await runEdumon(['migrate'], t.env)).code).toBe(0);
    const instance = await DuckDBInstance.create(t.config.warehouse);
    const conn = await instance.connect();
    const ddl = String((await conn.runAndReadAll(`select sql from duckdb_tables() where table_name = 'school_versions'`)).getRows()[0]![0]);
    await conn.run(`alter table school_versions rename to school_versions_old`);
    await conn.run(ddl.replace(/\);\s*$/, `, check (name <> 'POISON'));`));
    await conn.run(`insert into school_versions select * from school_versions_old; drop table school_versions_old`);
    conn.closeSync();
    instance.closeSync();

    // The two bad schools sit between valid events of the same school, in one partition batch.
    msgs.splice(300, 0, message(poison), message(huge));
    await publishRaw(kafka, msgs);
    run = await runEdumonWithin(['run', '--until-idle'], t.env, 120_000);
  }, 300_000);

  it('keeps ingesting: the run ends 0 and every other event is stored', async () => {
    expect(run.code, run.output).toBe(0);
    const ids = await storedIds(t.config.warehouse);
    expect(ids.has('poison-school')).toBe(false);
    expect(ids.has('huge-school')).toBe(false);
    await expectWarehouseEqualsReference(t, reference, { valid });
  });

  it('records each as a rejection with its reason, and forwards the original to the DLQ', async () => {
    const rows = await queryWarehouse<{ reason: string; offset: string }>(
      t.config.warehouse,
      `select reason, "offset"::varchar as "offset" from rejections order by "offset"`,
    );
    expect(rows.map((r) => r.reason)).toEqual([
      expect.stringMatching(/^the warehouse refused it: Constraint Error: CHECK constraint failed on table school_versions/),
      expect.stringMatching(/^capacity: /),
    ]);
    // The decode rejection reaches the DLQ first; the refused one only once its write failed.
    const dlq = (await readTopic(kafka, topics.dlq, (m) => m.length >= 2)).sort(
      (a, b) => Number(a.headers['edumon-offset']) - Number(b.headers['edumon-offset']),
    );
    expect(dlq.map((m) => [m.headers['edumon-offset'], m.headers['edumon-reason']])).toEqual(rows.map((r) => [r.offset, r.reason]));
    expect(JSON.parse(dlq[0]!.value!.toString()).name).toBe('POISON');
  });
});

describe('a value no column can hold, in a file', () => {
  const t = testEnv('refused-file');
  const school = validEvents(1, 22)[0]!;

  it('is rejected by `edumon ingest` with its line and field, and the valid line is published', async () => {
    const file = join(t.dir, 'schools.jsonl');
    writeFileSync(file, `${[{ ...school, capacity: 3_000_000_000 }, school].map((e) => JSON.stringify(e)).join('\n')}\n`);
    const r = await runEdumon(['ingest', file], t.env);
    expect(r.code, r.output).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:1: capacity: `, 'm'));
    expect(r.stdout).toContain('2 records, 1 published, 1 rejected');
  });
});

/**
 * SIGTERMs `proc` (a `run --until-idle` on `load`): it must exit 0 within seconds, saying it
 * finishes the batch in flight, and a rerun must store the rest, every valid event once.
 */
async function expectStopsOnSigterm(t: TestEnv, load: { valid: unknown[] }, proc: Running): Promise<void> {
  proc.child.kill('SIGTERM');
  const code = await Promise.race([proc.exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 45_000))]);
  if (code === 'hung') proc.child.kill('SIGKILL');
  expect(code, proc.output()).toBe(0);
  expect(proc.output()).toMatch(/SIGTERM: finishing the batch in flight/);
  const rest = await runEdumonWithin(['run', '--until-idle'], t.env, 120_000);
  expect(rest.code, rest.output).toBe(0);
  expect((await storedIds(t.config.warehouse)).size).toBe(load.valid.length);
}

describe('`run --until-idle` stopped by SIGTERM', () => {
  const t = testEnv('untilidle-term', { EDUMON_KAFKA_MAX_BYTES_PER_PARTITION: '65536' });
  const load = buildLoad(t.config, 30_000, 13);

  it('commits the batch in flight and exits 0 within seconds; a rerun finishes the backlog', async () => {
    await publishRaw(kafka, load.messages);
    const proc = spawnEdumon(['run', '--until-idle'], t.env);
    await waitFor(() => /progress|partitions assigned/.test(proc.output()));
    await new Promise((r) => setTimeout(r, 300));
    await expectStopsOnSigterm(t, load, proc);
  }, 300_000);
});

describe('`run` stopped by SIGTERM while it starts', () => {
  const t = testEnv('untilidle-startterm', { EDUMON_KAFKA_MAX_BYTES_PER_PARTITION: '65536' });
  const load = buildLoad(t.config, 5_000, 14);

  it('finishes starting, then stops as it would later: exit 0, nothing lost', async () => {
    await publishRaw(kafka, load.messages);
    const proc = spawnEdumon(['run', '--until-idle'], t.env);
    // Migrated, not yet serving: the consumer and the rule sweeps are still being started.
    await waitFor(() => /warehouse migrated/.test(proc.output()));
    await expectStopsOnSigterm(t, load, proc);
  }, 300_000);
});

/**
 * Analysts' snapshots (`edumon export`), as an analyst and an operator meet them: a snapshot of a
 * stopped warehouse holds every table's rows and opens in DuckDB through its load.sql with the
 * rules' asof_* macros; the last snapshots.keep are kept; a SIGKILL mid-export leaves no half
 * snapshot where a reader looks; and snapshots taken while `edumon run` ingests each hold exactly
 * the events before the offsets their manifest gives, read back from Kafka.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, openWarehouse } from '../../core/db.ts';
import { eventTables } from '../../domain/eventTables.ts';
import { topicsOf } from '../../domain/topics.ts';
import { listSnapshots, loadSnapshot, type SnapshotManifest } from '../../pipeline/snapshot.ts';
import { buildLoad } from '../fixtures/load.ts';
import { runEdumon, spawnEdumon, waitFor } from '../helpers/cli.ts';
import { twoCountyWorld } from '../helpers/digestWorld.ts';
import { publishRaw, readTopic, testKafka } from '../helpers/kafka.ts';
import { testEnv } from '../helpers/testEnv.ts';
import { queryWarehouse } from '../helpers/warehouse.ts';

const manifestOf = (dir: string): SnapshotManifest => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as SnapshotManifest;

/** Opens a snapshot as the README says (its load.sql, paths relative to the folder) in a fresh in-memory DuckDB; runs `sql`. */
async function onSnapshot<T = Record<string, unknown>>(dir: string, sql: string): Promise<T[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    await loadSnapshot(conn, dir);
    return (await conn.runAndReadAll(sql)).getRowObjectsJson() as T[];
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

describe('edumon export on a stopped warehouse', () => {
  const t = testEnv('snapshot');
  const snapshots = join(t.dir, 'snapshots');
  const env = { ...t.env, EDUMON_SNAPSHOTS_KEEP: '2' };
  const world = twoCountyWorld();
  beforeAll(async () => {
    const instance = await openWarehouse(t.env.EDUMON_WAREHOUSE!);
    const conn = await connect(instance);
    await world.store(conn);
    conn.closeSync();
    instance.closeSync();
  }, 60_000);
  afterAll(() => rmSync(t.dir, { recursive: true, force: true }));

  it('writes every table and view as Parquet with their row counts, and opens in DuckDB with the rules’ macros', async () => {
    const r = await runEdumon(['export'], env);
    expect(r.code, r.output).toBe(0);
    const [name] = listSnapshots(snapshots);
    expect(r.stdout).toContain(`快照 snapshot: ${join(snapshots, name!)}`);
    const dir = join(snapshots, name!);
    const manifest = manifestOf(dir);
    expect(manifest.asOf).toMatch(/\+08:00$/);
    const counts = await queryWarehouse<{ t: string; n: string }>(
      t.env.EDUMON_WAREHOUSE!,
      [...eventTables, 'current_schools', 'ingest_offsets'].map((x) => `select '${x}' as t, count(*) as n from ${x}`).join(' union all '),
    );
    for (const { t: table, n } of counts) expect(manifest.files.find((f) => f.name === table)?.rows, table).toBe(Number(n));
    // The notification tables (contacts' addresses, email bodies) and edumon's bookkeeping stay behind.
    for (const left of ['outbox', 'outbox_attempts', 'outbox_notices', 'notify_log', 'schema_migrations', 'digest_figures'])
      expect(existsSync(join(dir, `${left}.parquet`)), left).toBe(false);
    // Pseudonyms only: no raw student id of the world is in any file.
    const raw = world.events.flatMap((e) => (typeof (e as { student_id?: unknown }).student_id === 'string' ? [(e as { student_id: string }).student_id] : []));
    expect(raw.length).toBeGreaterThan(100);
    for (const f of readdirSync(dir)) {
      const bytes = readFileSync(join(dir, f)).toString('latin1');
      expect(
        raw.filter((id) => bytes.includes(id)),
        f,
      ).toEqual([]);
    }
    // Private, as the warehouse is.
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'admissions.parquet')).mode & 0o777).toBe(0o600);
    // Opened through load.sql: the tables, the current_* views and the asof_* macros answer as on the warehouse.
    const [kids] = await onSnapshot<{ n: string }>(
      dir,
      `select sum(students)::integer as n from asof_school_students(timestamptz '2025-07-06 23:59:59+08') join current_schools using (school_id) where level = 'kindergarten'`,
    );
    expect(Number(kids!.n)).toBe(187); // 97 in 温县, 90 in 武陟县
  });

  it('keeps the last snapshots.keep, removing the oldest', async () => {
    await runEdumon(['export'], env);
    const before = listSnapshots(snapshots);
    const r = await runEdumon(['export'], env);
    expect(r.code, r.output).toBe(0);
    const after = listSnapshots(snapshots);
    expect(after).toHaveLength(2);
    expect(after).not.toContain(before[0]);
    expect(r.stdout).toContain(`已删除 removed: ${before[0]}`);
  });

  it('SIGKILLed mid-export: no half snapshot where a reader looks; the next export clears what it left', async () => {
    const complete = listSnapshots(snapshots);
    const crashed = await runEdumon(['export'], { ...env, EDUMON_FAILPOINT_EXPORT_CRASH: 'after=3' });
    expect(crashed.code, crashed.output).toBeNull(); // killed by its signal
    expect(listSnapshots(snapshots)).toEqual(complete);
    const partial = readdirSync(snapshots).filter((n) => n.startsWith('.partial-'));
    expect(partial).toHaveLength(1);
    expect(readdirSync(join(snapshots, partial[0]!)).filter((f) => f.endsWith('.parquet'))).toHaveLength(3);
    const next = await runEdumon(['export'], env);
    expect(next.code, next.output).toBe(0);
    expect(readdirSync(snapshots).filter((n) => n.startsWith('.partial-'))).toEqual([]);
    expect(next.stdout).toContain(partial[0]);
  });

  it('names a --to folder that cannot be created, exit 1', async () => {
    const file = join(t.dir, 'a-file');
    writeFileSync(file, '');
    const r = await runEdumon(['export', '--to', join(file, 'snapshots')], env);
    expect(r.code, r.output).toBe(1);
    expect(r.stderr).toContain(`cannot create the snapshots folder ${join(file, 'snapshots')}`);
  });
});

describe('edumon export while edumon run ingests', () => {
  const t = testEnv('snapshot-live');
  const kafka = testKafka();
  const load = buildLoad(t.config, 30_000, 11);
  const validIds = new Set(load.valid.map((e) => e.event_id));
  afterAll(() => rmSync(t.dir, { recursive: true, force: true }));

  it('each snapshot holds exactly the events before its manifest’s offsets, read back from Kafka', { timeout: 240_000 }, async () => {
    const service = spawnEdumon(['run'], { ...t.env, EDUMON_SNAPSHOTS_SCHEDULE: 'off' });
    const chunks = 5;
    const per = Math.ceil(load.messages.length / chunks);
    try {
      await waitFor(() => service.output().includes('pipeline running'), 60_000, 'the service to start').catch((err) => {
        throw new Error(`${err.message}:\n${service.output()}`);
      });
      for (let c = 0; c < chunks; c++) {
        await publishRaw(kafka, load.messages.slice(c * per, (c + 1) * per));
        const r = await runEdumon(['export'], t.env);
        expect(r.code, r.output).toBe(0);
      }
      // Not while the service runs: it writes only to its own folder.
      const elsewhere = await runEdumon(['export', '--to', join(t.dir, 'elsewhere')], t.env);
      expect(elsewhere.code).toBe(2);
      expect(elsewhere.stderr).toContain('the running service writes snapshots only to');
      await waitFor(
        async () => {
          const r = await runEdumon(['query', 'select sum(next_offset) as n from ingest_offsets', '--format', 'json'], t.env);
          return r.code === 0 && Number(JSON.parse(r.stdout).n) === load.messages.length;
        },
        120_000,
        'every message consumed',
      );
      const last = await runEdumon(['export'], t.env);
      expect(last.code, last.output).toBe(0);
    } finally {
      service.child.kill('SIGTERM');
      expect(await service.exited).toBe(0);
    }

    // Every message, where it landed: topic, partition, offset -> event_id.
    const topics = topicsOf(t.config);
    const landed: Array<{ topic: string; partition: number; offset: number; id: string | null }> = [];
    for (const topic of new Set(load.messages.map((m) => m.topic))) {
      const expected = load.messages.filter((m) => m.topic === topic).length;
      for (const m of await readTopic(kafka, topic, (msgs) => msgs.length >= expected, 60_000)) {
        let id: string | null = null;
        try {
          id = String((JSON.parse(m.value?.toString('utf8') ?? '') as { event_id?: unknown }).event_id ?? '');
        } catch {}
        landed.push({ topic, partition: m.partition, offset: Number(m.offset), id });
      }
    }
    expect(landed).toHaveLength(load.messages.length);
    expect(Object.values(topics)).toContain(landed[0]!.topic);

    const dirs = listSnapshots(join(t.dir, 'snapshots'));
    expect(dirs.length).toBe(6);
    const sizes: number[] = [];
    for (const name of dirs) {
      const dir = join(t.dir, 'snapshots', name);
      const { offsets } = manifestOf(dir);
      const next = new Map(offsets.map((o) => [`${o.topic} ${o.partition}`, Number(o.nextOffset)]));
      const expected = new Set(
        landed.filter((m) => m.id !== null && validIds.has(m.id) && m.offset < (next.get(`${m.topic} ${m.partition}`) ?? 0)).map((m) => m.id!),
      );
      const held = await onSnapshot<{ event_id: string }>(dir, eventTables.map((x) => `select event_id from ${x}`).join(' union all '));
      const ids = held.map((r) => r.event_id);
      expect(new Set(ids).size, `${name}: each event once`).toBe(ids.length);
      expect(
        ids.filter((id) => !expected.has(id)),
        `${name}: events after its offsets`,
      ).toEqual([]);
      expect(expected.size - ids.length, `${name}: events before its offsets missing`).toBe(0);
      sizes.push(ids.length);
    }
    // Taken during ingestion (some hold part of the load), the last one after it: all of it.
    expect(sizes.some((n) => n > 0 && n < validIds.size)).toBe(true);
    expect(sizes[sizes.length - 1]).toBe(validIds.size);
  });
});

/**
 * Files edumon writes are readable by their owner only: the warehouse, its WAL and spill folder,
 * the pseudonym key, simulator output (raw ids); and a warehouse an older edumon left readable by
 * others is tightened the next time it is opened read-write. Real CLI, broker and DuckDB files.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openWarehouse } from '../../core/db.ts';
import { familyOf } from '../../domain/contract.ts';
import { topicsOf } from '../../domain/topics.ts';
import { serviceFileOf } from '../../service/client.ts';
import { validEvents } from '../fixtures/events.ts';
import { runEdumon, spawnEdumon, waitFor } from '../helpers/cli.ts';
import { publishRaw, testKafka } from '../helpers/kafka.ts';
import { testEnv } from '../helpers/testEnv.ts';

/** Every path under `dir` (not `dir` itself) whose mode lets group or others in, with its mode. */
function readableByOthers(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = statSync(path);
    if (st.mode & 0o077) out.push(`${path} ${(st.mode & 0o777).toString(8)}`);
    if (st.isDirectory()) out.push(...readableByOthers(path));
  }
  return out;
}

describe('private files', () => {
  it('run --until-idle creates the warehouse folder, file and pseudonym key owner-only, and DuckDB spills beside them', async () => {
    // No key in the environment: dev/test keep one beside the warehouse.
    const t = testEnv('private-run', { EDUMON_PSEUDONYM_KEY: '' });
    const env = { ...t.env, EDUMON_WAREHOUSE: join(t.dir, 'data', 'warehouse.duckdb') };
    const topics = topicsOf(t.config);
    await publishRaw(
      testKafka(),
      validEvents(50).map((e) => ({ topic: topics[familyOf[e.type]], key: e.event_id, value: Buffer.from(JSON.stringify(e)) })),
    );
    const r = await runEdumon(['run', '--until-idle'], env);
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toContain('stored 50 events');
    const made = readdirSync(join(t.dir, 'data'));
    expect(made).toEqual(expect.arrayContaining(['warehouse.duckdb', 'warehouse.duckdb.pseudonym-key']));
    expect(readableByOthers(t.dir)).toEqual([]);
    // The service's DuckDB (opened read-write as `run` opens it) spills beside the warehouse, into
    // the folder that is made private on open. (`edumon query` on a stopped file never spills.)
    const instance = await openWarehouse(env.EDUMON_WAREHOUSE);
    const conn = await instance.connect();
    const spill = (await conn.runAndReadAll(`select current_setting('temp_directory')`)).getRows()[0]![0];
    conn.closeSync();
    instance.closeSync();
    expect(spill).toBe(`${env.EDUMON_WAREHOUSE}.tmp`);
  });

  it('while run holds the warehouse, its WAL and service file (port, token) are owner-only', async () => {
    const t = testEnv('private-live');
    const topics = topicsOf(t.config);
    const proc = spawnEdumon(['run'], t.env);
    await waitFor(() => existsSync(serviceFileOf(t.env.EDUMON_WAREHOUSE!)), 60_000, 'the service file');
    await publishRaw(
      testKafka(),
      validEvents(30, 2).map((e) => ({ topic: topics[familyOf[e.type]], key: e.event_id, value: Buffer.from(JSON.stringify(e)) })),
    );
    await waitFor(
      async () => /"n":"[1-9]/.test((await runEdumon(['query', 'select count(*) as n from school_versions', '-f', 'json'], t.env)).stdout),
      60_000,
      'stored events',
    );
    expect(readdirSync(t.dir)).toEqual(expect.arrayContaining(['warehouse.duckdb', 'warehouse.duckdb.wal', 'warehouse.duckdb.service.json']));
    expect(readableByOthers(t.dir)).toEqual([]);
    proc.child.kill('SIGTERM');
    expect(await proc.exited, proc.output()).toBe(0);
  });

  it('a warehouse, spill folder and key left readable by others become owner-only when opened read-write', async () => {
    const t = testEnv('private-old', { EDUMON_PSEUDONYM_KEY: '' });
    const wh = t.env.EDUMON_WAREHOUSE!;
    const m = await runEdumon(['migrate'], t.env);
    expect(m.code, m.output).toBe(0);
    // What an older edumon (umask 022) left behind.
    writeFileSync(`${wh}.pseudonym-key`, 'an-older-key-0123456789abcdef\n');
    mkdirSync(`${wh}.tmp`);
    writeFileSync(join(`${wh}.tmp`, 'duckdb_temp_storage-0.tmp'), 'spilled');
    for (const [path, mode] of [
      [wh, 0o644],
      [`${wh}.pseudonym-key`, 0o644],
      [`${wh}.tmp`, 0o755],
      [join(`${wh}.tmp`, 'duckdb_temp_storage-0.tmp'), 0o644],
    ] as const)
      chmodSync(path, mode);
    expect(readableByOthers(t.dir)).toHaveLength(4);
    const again = await runEdumon(['migrate'], t.env);
    expect(again.code, again.output).toBe(0);
    expect(readableByOthers(t.dir)).toEqual([]);
    expect(statSync(wh).mode & 0o777).toBe(0o600);
    expect(statSync(`${wh}.tmp`).mode & 0o777).toBe(0o700);
  });

  it('simulate writes its output (raw ids) owner-only, even into an older world-readable folder', async () => {
    const t = testEnv('private-sim');
    const out = join(t.dir, 'sim');
    mkdirSync(out, { mode: 0o755 });
    chmodSync(out, 0o755);
    const r = await runEdumon(['simulate', '--scale', '0.05', '--from', '2025-03-01', '--to', '2025-03-31', '--corrupt', '0.01', '--out', out], t.env);
    expect(r.code, r.output).toBe(0);
    expect(readdirSync(out)).toEqual(expect.arrayContaining(['registry.jsonl', 'truth.json']));
    expect(readableByOthers(t.dir)).toEqual([]);
  });
});

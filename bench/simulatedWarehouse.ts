/**
 * A simulated Jiaozuo year stored in a warehouse file, for benchmarks that read one: `DIR/sim`
 * from `node bin/edumon.mjs simulate --seed 1 --scale S --out DIR/sim` unless it is there, loaded
 * into `DIR/warehouse.duckdb` through decode + pseudonymise + Sink.write (no Kafka) unless that
 * exists, migrated to this edumon's schema. Kept in DIR for the next run (scale 28: 6.5 GB of
 * JSON Lines, a 2.2 GB warehouse).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, openWarehouse } from '../core/db.ts';
import { EdumonError } from '../core/errors.ts';
import { migrate } from '../pipeline/migrate.ts';
import { storeSimulatedFiles } from '../tools/storeSimulated.ts';
import { fmt, progress } from './common.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The pseudonym key of every bench warehouse: not a secret, the data are simulated. */
export const BENCH_KEY = 'edumon-bench-digest-pseudonym-key-not-a-secret';

/** The warehouse file of the simulated year at `scale` in `dir`, made if missing. Throws EdumonError if the simulator fails. */
export async function simulatedWarehouse(dir: string, scale: string): Promise<string> {
  const sim = join(dir, 'sim');
  const path = join(dir, 'warehouse.duckdb');
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(sim, 'truth.json'))) {
    progress(`simulating scale ${scale} into ${sim}`);
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'edumon.mjs'), 'simulate', '--seed', '1', '--scale', scale, '--out', sim], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, EDUMON_PSEUDONYM_KEY: BENCH_KEY },
    });
    if (r.status !== 0) throw new EdumonError(`simulate --scale ${scale} failed (exit ${r.status})`);
  }
  const instance = await openWarehouse(path);
  const conn = await connect(instance);
  try {
    const fresh = !(await conn.runAndReadAll(`select 1 from duckdb_tables() where table_name = 'admissions'`)).getRows().length;
    await migrate(conn);
    if (fresh) {
      await storeSimulatedFiles(conn, sim, BENCH_KEY, (family, lines) => progress(`loaded ${family}.jsonl: ${fmt(lines)} lines`));
      await conn.run('checkpoint');
    }
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
  return path;
}

/**
 * Analyst benchmark (issue 14): exporting a snapshot of a simulated year's warehouse
 * (pipeline/snapshot.ts, as `edumon export` on a stopped warehouse does), then a question an
 * analyst asks of it, through its load.sql in a fresh in-memory DuckDB, as the README shows:
 * admissions by home region and school region (招生学校所在区域), year on year. Target: the query
 * under 2 s at scale 28. Prints the export's time, size and peak RSS, and the query's runs (the
 * first is cold: the Parquet files are read for the first time).
 *
 *   node --import tsx bench/analyst.ts --dir DIR [--scale 28] [--memory-limit 256MB]
 *
 * --memory-limit: DuckDB's limit for the export, as the service's instance has (EDUMON_WAREHOUSE_MEMORY_LIMIT); default DuckDB's own (80% of RAM).
 */
import { rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { connect, openWarehouse } from '../core/db.ts';
import { useCurrentViews } from '../pipeline/migrate.ts';
import { exportSnapshot, loadSnapshot } from '../pipeline/snapshot.ts';
import { fmt, parseBenchArgs, progress } from './common.ts';
import { simulatedWarehouse } from './simulatedWarehouse.ts';

const USAGE = 'usage: node --import tsx bench/analyst.ts --dir DIR [--scale 28] [--memory-limit 256MB]';

/** Admissions by home region and school region, year on year: the question. */
export const ADMISSIONS_YEAR_ON_YEAR = `
with by_year as (
  select a.year, a.home_region_code, s.region_code as school_region_code, count(*) as admissions,
    count(*) filter (a.home_region_code <> s.region_code) as cross_region
  from admissions a join current_schools s using (school_id)
  group by all
)
select *, admissions - lag(admissions) over w as change_from_last_year,
  round(100.0 * (admissions - lag(admissions) over w) / nullif(lag(admissions) over w, 0), 1) as change_percent
from by_year
window w as (partition by home_region_code, school_region_code order by year)
order by year, home_region_code, school_region_code`;

async function main(): Promise<number> {
  const args = parseBenchArgs(process.argv.slice(2), { dir: { type: 'string' }, scale: { type: 'string' }, 'memory-limit': { type: 'string' } }, USAGE);
  if (typeof args === 'number') return args;
  if (!args.dir) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const path = await simulatedWarehouse(args.dir, args.scale ?? '28');
  const snapshots = join(args.dir, 'snapshots');
  rmSync(snapshots, { recursive: true, force: true });

  progress('exporting a snapshot');
  const memoryLimit = args['memory-limit'];
  const instance = await openWarehouse(path, { readOnly: true, ...(memoryLimit ? { memoryLimit } : {}) });
  const conn = await connect(instance);
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const t0 = performance.now();
  let snapshot: Awaited<ReturnType<typeof exportSnapshot>>;
  try {
    await useCurrentViews(conn, path);
    snapshot = await exportSnapshot(conn, snapshots, { keep: 1, onFile: (f) => progress(`${f.name}: ${fmt(f.rows)} rows`) });
  } finally {
    clearInterval(sampler);
    conn.closeSync();
    instance.closeSync();
  }
  const exportMs = performance.now() - t0;
  const rows = snapshot.manifest.files.reduce((n, f) => n + f.rows, 0);
  const bytes = snapshot.manifest.files.reduce((n, f) => n + f.bytes, 0);
  process.stdout.write(
    `export: ${fmt(exportMs)} ms, ${snapshot.manifest.files.length} files, ${fmt(rows)} rows, ${fmt(bytes / 1048576)} MB, peak RSS ${fmt(peak / 1048576)} MB, memory limit ${memoryLimit ?? 'DuckDB default'} (${cpus().length} cores, load ${loadavg()[0]!.toFixed(2)})\n`,
  );

  const analyst = await DuckDBInstance.create(':memory:');
  const q = await analyst.connect();
  try {
    await loadSnapshot(q, snapshot.path);
    const times: number[] = [];
    let answer = 0;
    for (let i = 0; i < 4; i++) {
      const t = performance.now();
      answer = (await q.runAndReadAll(ADMISSIONS_YEAR_ON_YEAR)).currentRowCount;
      times.push(performance.now() - t);
    }
    process.stdout.write(
      `query (admissions by home region and school region, year on year): ${answer} rows; first ${fmt(times[0]!)} ms, then best ${fmt(Math.min(...times.slice(1)))} ms (runs ${times.map(fmt).join(', ')} ms; load ${loadavg()[0]!.toFixed(2)})\n`,
    );
  } finally {
    q.closeSync();
    analyst.closeSync();
  }
  return 0;
}

process.exitCode = await main();

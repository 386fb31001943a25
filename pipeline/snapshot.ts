/**
 * Analysts' snapshots: the warehouse's tables and views as Parquet files, one folder per snapshot,
 * for the DuckDB CLI, Python (duckdb, pandas, polars) and BI tools, which cannot open the warehouse
 * file while the service holds it. Every file of a snapshot is read in one READ ONLY transaction,
 * so a snapshot is one consistent moment of the warehouse: its manifest's ingest offsets are the
 * ones committed with exactly the events it holds (pipeline/sink.ts writes both in one
 * transaction). It is written under a hidden `.partial-…` name and renamed when complete: a crash
 * mid-export leaves no half snapshot where a reader looks, and the next export removes the rest.
 * Pseudonyms only, as in the warehouse; the notification tables (contacts' addresses, email
 * bodies), the console's own tables (users with their password hashes, sessions, audit trail) and
 * edumon's own bookkeeping are left out. The console's acknowledgements (alert_acks) are the
 * analysts' data and stay.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { inTransaction, sqlFiles, sqlText } from '../core/db.ts';
import { EdumonError, messageOf } from '../core/errors.ts';
import { sqlString } from '../core/lockDown.ts';
import { formatShanghai } from '../core/shanghai.ts';
import { CONSOLE_TABLES } from '../domain/consoleTables.ts';

/**
 * Tables that are not the analysts': the outbox and what each contact was told (addresses, email
 * bodies), migrations, the digest's cache, and the console's users, sessions and audit trail.
 */
const LEFT_OUT = new Set(['outbox', 'outbox_attempts', 'outbox_notices', 'notify_log', 'schema_migrations', 'digest_figures', ...CONSOLE_TABLES]);

/** A snapshot folder's name: `snapshot-` and its moment in Asia/Shanghai, so names sort in time. */
const NAME = /^snapshot-\d{8}-\d{6}(-\d+)?$/;
const PARTIAL = /^\.partial-(snapshot-[\d-]+)-(\d+)$/;

/** One file of a snapshot: a table or view, its Parquet file (relative to the folder), its rows and bytes. */
export interface SnapshotFile {
  name: string;
  kind: 'table' | 'view';
  file: string;
  rows: number;
  bytes: number;
}

/** manifest.json of a snapshot. */
export interface SnapshotManifest {
  /** The folder's name, `snapshot-20250707-030000`. */
  name: string;
  /** The moment it reflects (its transaction's start), Asia/Shanghai ISO 8601. */
  asOf: string;
  /** Per topic-partition, the next offset to read: the snapshot holds every stored event before it, and none after. */
  offsets: Array<{ topic: string; partition: number; nextOffset: string }>;
  /** Per feed, how far in event time its stored events reach (feed_progress), Asia/Shanghai. */
  feeds: Array<{ feed: string; maxOccurredAt: string }>;
  files: SnapshotFile[];
  /** How to open it: the loader for the DuckDB CLI, and a word for the others. */
  howToOpen: string;
}

/** What exportSnapshot reports. */
export interface SnapshotResult {
  /** The complete snapshot's folder (absolute). */
  path: string;
  manifest: SnapshotManifest;
  /** Older snapshots removed to keep `keep`, and partial folders of crashed exports removed. */
  removed: string[];
}

/**
 * Exports every table and view (less LEFT_OUT) of the warehouse behind `conn` to a new folder
 * under `dir` (created, mode 0700): `<table>.parquet` (zstd), `manifest.json`, and `load.sql`,
 * which defines each table as a view over its file and edumon's views and asof_* macros over them
 * (`cd` into the folder, then `duckdb -init load.sql`). Then removes the oldest complete snapshots
 * beyond `keep` and partial folders left by exports that died. `onFile` is told of each file as it
 * is written (progress). `conn` must not be inside a transaction. Throws EdumonError naming the
 * table when a file cannot be written (disk full, a folder the sandbox does not allow).
 */
export async function exportSnapshot(
  conn: DuckDBConnection,
  dir: string,
  opts: { keep: number; onFile?: (file: SnapshotFile) => void; afterFile?: (written: number) => void },
): Promise<SnapshotResult> {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new EdumonError(`snapshot: 无法创建快照目录 / cannot create the snapshots folder ${dir}: ${messageOf(err)}`, { cause: err });
  }
  const removed = removePartials(dir);
  let partial = '';
  let manifest: SnapshotManifest;
  try {
    manifest = await inTransaction(
      conn,
      async () => {
        const now = (await conn.runAndReadAll('select epoch_ms(get_current_timestamp())')).getRows()[0]![0];
        const asOf = Number(now);
        const name = freeName(dir, asOf);
        partial = join(dir, `.partial-${name}-${process.pid}`);
        mkdirSync(partial, { mode: 0o700 });
        const files: SnapshotFile[] = [];
        for (const { name: table, kind } of await exportedRelations(conn)) {
          const file = `${table}.parquet`;
          const path = join(partial, file);
          let rows: number;
          try {
            const r = await conn.runAndReadAll(`copy (select * from "${table}") to ${sqlString(path)} (format parquet, compression zstd)`);
            rows = Number(r.getRows()[0]?.[0] ?? 0);
          } catch (err) {
            throw new EdumonError(`snapshot: cannot write ${table} to ${path}: ${messageOf(err).split('\n', 1)[0]}`, { cause: err });
          }
          fsyncFile(path);
          const written = { name: table, kind, file, rows, bytes: statSync(path).size };
          files.push(written);
          opts.onFile?.(written);
          opts.afterFile?.(files.length);
        }
        const offsets = (await conn.runAndReadAll(`select topic, "partition", next_offset from ingest_offsets order by all`))
          .getRowsJson()
          .map(([topic, partition, next]) => ({ topic: String(topic), partition: Number(partition), nextOffset: String(next) }));
        const feeds = (await conn.runAndReadAll(`select feed, epoch_ms(max(max_occurred_at)) from feed_progress group by feed order by feed`))
          .getRowsJson()
          .map(([feed, at]) => ({ feed: String(feed), maxOccurredAt: formatShanghai(Number(at)) }));
        return {
          name,
          asOf: formatShanghai(asOf),
          offsets,
          feeds,
          files,
          howToOpen: 'DuckDB CLI: cd into this folder, then `duckdb -init load.sql`. Python, BI tools: read the .parquet files (one per table or view).',
        };
      },
      { readOnly: true },
    );
  } catch (err) {
    if (partial) rmSync(partial, { recursive: true, force: true });
    throw err;
  }
  writeFileSync(join(partial, 'load.sql'), loaderSql(manifest.files), { mode: 0o600 });
  writeFileSync(join(partial, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  fsyncFile(join(partial, 'load.sql'));
  fsyncFile(join(partial, 'manifest.json'));
  const path = join(dir, manifest.name);
  renameSync(partial, path);
  fsyncFile(dir);
  removed.push(...pruneSnapshots(dir, opts.keep));
  return { path, manifest, removed };
}

/**
 * Defines a snapshot's tables, views and macros on `conn` as an analyst opens it in DuckDB (the
 * README): its load.sql, with the Parquet paths read relative to the snapshot's folder `dir`.
 */
export async function loadSnapshot(conn: DuckDBConnection, dir: string): Promise<void> {
  await conn.run(`set file_search_path = ${sqlString(dir)}`);
  await conn.run(readFileSync(join(dir, 'load.sql'), 'utf8'));
}

/** The complete snapshots under `dir`, oldest first (folders named snapshot-… with a manifest.json). */
export function listSnapshots(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => NAME.test(n) && existsSync(join(dir, n, 'manifest.json')))
    .sort();
}

/** The tables (less LEFT_OUT) and views of the warehouse, tables first, each once. */
async function exportedRelations(conn: DuckDBConnection): Promise<Array<{ name: string; kind: 'table' | 'view' }>> {
  const rows = (
    await conn.runAndReadAll(
      `select distinct table_name, 'table' as kind from duckdb_tables() where schema_name = 'main' and database_name = current_database() and not temporary
       union all
       select distinct view_name, 'view' from duckdb_views() where schema_name = 'main' and not internal
       order by kind, 1`,
    )
  ).getRowsJson() as Array<[string, 'table' | 'view']>;
  const seen = new Set<string>();
  const out: Array<{ name: string; kind: 'table' | 'view' }> = [];
  for (const [name, kind] of rows) {
    if (LEFT_OUT.has(name) || seen.has(name)) continue;
    seen.add(name);
    out.push({ name, kind });
  }
  return out;
}

/** load.sql: each table a view over its Parquet file, then edumon's views and macros (sql/views/) over those. */
function loaderSql(files: readonly SnapshotFile[]): string {
  const lines = [
    '-- An edumon snapshot for the DuckDB CLI: cd into this folder, then `duckdb -init load.sql`.',
    '-- 每张表是其 Parquet 文件上的视图；随后是 edumon 的视图与 asof_* 宏（与规则同一定义）。',
    '-- Each table is a view over its Parquet file; then edumon’s views and asof_* macros (the rules’ own definitions).',
    ...files.filter((f) => f.kind === 'table').map((f) => `create or replace view "${f.name}" as select * from read_parquet(${sqlString(f.file)});`),
    ...sqlFiles('views').map((name) => `\n-- sql/${name}.sql\n${sqlText(name).trim()}`),
  ];
  return `${lines.join('\n')}\n`;
}

/** `snapshot-YYYYMMDD-HHMMSS` of `epochMs` in Asia/Shanghai, with `-2`, `-3`… if taken. */
function freeName(dir: string, epochMs: number): string {
  const t = formatShanghai(Math.floor(epochMs / 1000) * 1000);
  const base = `snapshot-${t.slice(0, 10).replace(/-/g, '')}-${t.slice(11, 19).replace(/:/g, '')}`;
  let name = base;
  for (let i = 2; existsSync(join(dir, name)); i++) name = `${base}-${i}`;
  return name;
}

/** Removes the partial folders of exports whose process is gone; returns their names. */
function removePartials(dir: string): string[] {
  const removed: string[] = [];
  for (const n of readdirSync(dir)) {
    const m = PARTIAL.exec(n);
    if (!m || alive(Number(m[2]))) continue;
    rmSync(join(dir, n), { recursive: true, force: true });
    removed.push(n);
  }
  return removed;
}

/** Removes the oldest complete snapshots beyond `keep`; returns their names. */
function pruneSnapshots(dir: string, keep: number): string[] {
  const all = listSnapshots(dir);
  const old = all.slice(0, Math.max(0, all.length - keep));
  for (const n of old) rmSync(join(dir, n), { recursive: true, force: true });
  return old;
}

function alive(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Flushes a file (or folder) to disk, so a rename after it never exposes a file the disk does not hold. */
function fsyncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

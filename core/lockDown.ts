/**
 * DuckDB's own sandbox for an instance whose connections an analyst's SQL can reach. Every one of
 * these settings is global (per instance, not per connection; `duckdb_settings().scope`), and after
 * `lock_configuration` no SET succeeds on any connection, `TimeZone` included: so every connection
 * the instance will ever need is opened and set up before this runs.
 */
import { resolve } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * Locks the instance of `conn` down: no file but the attached warehouse can be named (no reader,
 * writer, glob, URL or secret store) except under `writableDir` when given, no extension installed
 * or loaded, and no later SET.
 * `noSpill` also removes the temp directory, so a query over its memory limit fails instead of
 * writing spill files beside the warehouse (for read-only opens; the service's writer may spill).
 */
export async function lockDown(conn: DuckDBConnection, opts: { memoryLimit?: string; noSpill?: boolean; writableDir?: string } = {}): Promise<void> {
  if (opts.memoryLimit) await conn.run(`set memory_limit = '${opts.memoryLimit.replace(/'/g, '')}'`);
  // The one folder files may be written in (and so read from): the snapshots' (config snapshots.dir).
  if (opts.writableDir) await conn.run(`set allowed_directories = [${sqlString(`${resolve(opts.writableDir)}/`)}]`);
  // Must come before external access is disabled, which freezes the temp directory.
  if (opts.noSpill) await conn.run(`set temp_directory = ''`);
  await conn.run('set autoinstall_known_extensions = false');
  await conn.run('set autoload_known_extensions = false');
  await conn.run('set allow_persistent_secrets = false');
  await conn.run('set enable_external_access = false');
  await conn.run('set lock_configuration = true');
}

/** `text` as a SQL string literal. */
export const sqlString = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** Opening the DuckDB warehouse and running the project's named .sql files. */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { EdumonError, messageOf } from './errors.ts';
import { duckdb } from './lazyRequire.ts';
import { makeWarehousePrivate } from './privateFiles.ts';
import { PROJECT_ROOT } from './projectRoot.ts';

export const SQL_DIR = join(PROJECT_ROOT, 'sql');

/** Opens the warehouse file (creating its folder); read-only opens fail clearly if the file is missing or locked. */
export async function openWarehouse(path: string, opts: { readOnly?: boolean; memoryLimit?: string } = {}): Promise<DuckDBInstance> {
  if (path !== ':memory:' && !opts.readOnly) mkdirSync(dirname(path), { recursive: true });
  if (!opts.readOnly) makeWarehousePrivate(path);
  const options: Record<string, string> = {};
  if (opts.readOnly) options.access_mode = 'READ_ONLY';
  if (opts.memoryLimit) options.memory_limit = opts.memoryLimit;
  try {
    return await duckdb().DuckDBInstance.create(path, options);
  } catch (err) {
    const msg = messageOf(err);
    if (opts.readOnly && /does not exist/i.test(msg)) {
      throw new EdumonError(`warehouse ${path} does not exist yet: run \`edumon migrate\` or \`edumon run\` first`, { cause: err });
    }
    if (/lock/i.test(msg)) {
      throw new EdumonError(`warehouse ${path} is locked by another process (is \`edumon run\` up?)`, { cause: err });
    }
    throw new EdumonError(`cannot open warehouse ${path}: ${msg}`, { cause: err });
  }
}

/** A connection that reports dates in Asia/Shanghai, as the contract's reports do. */
export async function connect(instance: DuckDBInstance): Promise<DuckDBConnection> {
  const conn = await instance.connect();
  await conn.run(`set TimeZone = 'Asia/Shanghai'`);
  return conn;
}

const cache = new Map<string, string>();

/** The text of sql/<name>.sql; an unknown name fails at once. */
export function sqlText(name: string): string {
  let text = cache.get(name);
  if (text === undefined) {
    try {
      text = readFileSync(join(SQL_DIR, `${name}.sql`), 'utf8');
    } catch {
      throw new EdumonError(`no SQL file sql/${name}.sql`);
    }
    cache.set(name, text);
  }
  return text;
}

/** The .sql files of a folder under sql/, sorted by name, as names usable with sqlText. */
export function sqlFiles(folder: string): string[] {
  return readdirSync(join(SQL_DIR, folder))
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => `${folder}/${f.slice(0, -4)}`);
}

/**
 * Runs a callback inside one transaction; rolls back on any error. `readOnly`: a READ ONLY
 * transaction, so everything the callback reads is one snapshot and nothing can be written.
 */
export async function inTransaction<T>(conn: DuckDBConnection, fn: () => Promise<T>, opts: { readOnly?: boolean } = {}): Promise<T> {
  await conn.run(opts.readOnly ? 'begin transaction read only' : 'begin transaction');
  try {
    const out = await fn();
    await conn.run('commit');
    return out;
  } catch (err) {
    await conn.run('rollback').catch(() => undefined);
    throw err;
  }
}

/** A CLI command's short use of a stopped warehouse: opened, used on one connection, closed. */
import { existsSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { connect, openWarehouse } from '../core/db.ts';
import { EdumonError } from '../core/errors.ts';
import { lockDown } from '../core/lockDown.ts';
import { migrate, useCurrentViews } from '../pipeline/migrate.ts';

/**
 * Runs `fn` on the warehouse file: read-only with this edumon's views, or read-write and migrated
 * (never created: a missing warehouse is the same clear error either way). `sandbox` (read-only
 * only) locks the instance down before `fn` runs, for SQL an analyst wrote; with `writableDir` that
 * one folder may be written (a query's Parquet answer), nothing else.
 */
export async function withWarehouse<T>(
  path: string,
  opts: { write: boolean; sandbox?: { memoryLimit: string; writableDir?: string } },
  fn: (conn: DuckDBConnection) => Promise<T>,
): Promise<T> {
  if (opts.write && path !== ':memory:' && !existsSync(path)) {
    throw new EdumonError(`warehouse ${path} does not exist yet: run \`edumon migrate\` or \`edumon run\` first`);
  }
  const instance = await openWarehouse(path, { readOnly: !opts.write });
  const conn = await connect(instance);
  try {
    if (opts.write) await migrate(conn);
    else await useCurrentViews(conn, path);
    if (opts.sandbox && !opts.write) {
      const { memoryLimit, writableDir } = opts.sandbox;
      await lockDown(conn, { memoryLimit, noSpill: true, ...(writableDir ? { writableDir } : {}) });
    }
    return await fn(conn);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

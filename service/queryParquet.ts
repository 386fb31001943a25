/**
 * An analyst query's answer as a Parquet file, written by DuckDB's own writer. The statement is
 * checked exactly as for rows (service/query.ts checkQuery); only then is it wrapped in a COPY, which
 * runs inside the same READ ONLY transaction, time limit and interrupt. The sandbox lets the
 * instance write under one folder only (core/lockDown.ts writableDir), so the file goes there.
 */
import { randomBytes } from 'node:crypto';
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { UsageError } from '../core/errors.ts';
import { sqlString } from '../core/lockDown.ts';
import { checkQuery, maxResultBytesOf, type QueryLimits, tooLarge, withinLimits } from './query.ts';

/** Parquet's media type (IANA registration of application/vnd.apache.parquet, 2024). */
export const PARQUET_MEDIA_TYPE = 'application/vnd.apache.parquet';

/**
 * Writes the answer of `sql` to a new file `.query-<random>.parquet` in `dir` (a folder the
 * instance may write) and returns its path, row count and size in bytes. Bounded like any query:
 * more than maxRows rows or a file over maxResultBytes is refused, a stop interrupts the COPY;
 * on any failure no file is left. EXPLAIN is refused (its plan is text, not a table to export).
 */
export async function queryToParquet(
  conn: DuckDBConnection,
  sql: string,
  limits: QueryLimits,
  dir: string,
): Promise<{ file: string; rows: number; bytes: number }> {
  const { explain } = await checkQuery(conn, sql);
  if (explain) throw new UsageError('query: an EXPLAIN cannot be written as Parquet; ask for json, ndjson or csv');
  const file = join(dir, `.query-${randomBytes(12).toString('hex')}.parquet`);
  try {
    // The checked text becomes a subquery: on its own line, so a trailing comment cannot swallow the
    // closing parenthesis. One row past the limit is enough to know the limit is passed.
    // A statement's own final semicolon would end the COPY early: it goes (a check passed it, so it ends the one statement).
    const select = sql.replace(/;\s*$/, '');
    const copy = `copy (select * from (\n${select}\n) limit ${limits.maxRows + 1}) to ${sqlString(file)} (format parquet, compression zstd)`;
    // A stop interrupts the COPY, which then fails: awaited to its end, so no write outlives the transaction.
    const rows = await withinLimits(conn, limits, async () => (await conn.run(copy)).rowsChanged);
    if (rows > limits.maxRows) throw new UsageError(`query: more than ${limits.maxRows} rows; add a LIMIT or aggregate (EDUMON_QUERY_MAX_ROWS)`);
    const bytes = statSync(file).size;
    if (bytes > maxResultBytesOf(limits)) throw tooLarge(maxResultBytesOf(limits));
    return { file, rows, bytes };
  } catch (err) {
    rmSync(file, { force: true });
    throw err;
  }
}

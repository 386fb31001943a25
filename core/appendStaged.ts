/**
 * Filling a temp staging table with DuckDB's appender, the one way every set-based write does it
 * (the sink's events and rejections, the alert transitions, held violations, the notify log): the
 * caller creates `temp.<table>` and moves its rows on with one SQL statement.
 */
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';

/** One staged cell: null is SQL NULL; a string, number (INTEGER), bigint (BIGINT) or boolean is appended as that type. */
export type StagedValue = string | number | bigint | boolean | null;

/**
 * Appends one row per item of `rows` to the temp table `table`, `appendRow` appending its cells in
 * the table's column order (appendValues, or the appender's own calls). The appender is closed
 * even when a row throws; the caller's rollback then empties the half-filled table. Throws what
 * DuckDB throws (a value its column cannot hold, a missing table).
 */
export async function appendStaged<T>(
  conn: DuckDBConnection,
  table: string,
  rows: Iterable<T>,
  appendRow: (appender: DuckDBAppender, row: T) => void,
): Promise<void> {
  const appender = await conn.createAppender(table, null, 'temp');
  try {
    for (const row of rows) {
      appendRow(appender, row);
      appender.endRow();
    }
  } catch (err) {
    try {
      appender.closeSync();
    } catch {}
    throw err;
  }
  appender.closeSync();
}

/** Appends `values` to the current row, each with the appender call of its type (StagedValue). */
export function appendValues(appender: DuckDBAppender, values: readonly StagedValue[]): void {
  for (const v of values) {
    if (v === null) appender.appendNull();
    else if (typeof v === 'string') appender.appendVarchar(v);
    else if (typeof v === 'number') appender.appendInteger(v);
    else if (typeof v === 'bigint') appender.appendBigInt(v);
    else appender.appendBoolean(v);
  }
}

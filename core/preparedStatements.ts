/**
 * Prepared statements kept per connection, for the statements a server runs on every request: DuckDB
 * parses, binds and plans a statement once, then each call only binds its values and runs it (the
 * console's pages: about a millisecond saved per statement, several statements per page).
 */
import type { DuckDBConnection, DuckDBPreparedStatement, DuckDBResultReader, DuckDBValue } from '@duckdb/node-api';

const prepared = new WeakMap<DuckDBConnection, Map<string, Promise<DuckDBPreparedStatement>>>();

/**
 * Runs `sql` with `values` on `conn` through its prepared statement (prepared on first use, kept
 * while the connection lives) and reads the whole answer. The caller must not run the same
 * connection from two places at once (a statement holds one set of bound values). Rejects with
 * DuckDB's error, as `conn.runAndReadAll` would; a statement that failed to prepare is prepared
 * again next time.
 */
export async function runPrepared(conn: DuckDBConnection, sql: string, values: Record<string, DuckDBValue> = {}): Promise<DuckDBResultReader> {
  let byText = prepared.get(conn);
  if (!byText) {
    byText = new Map();
    prepared.set(conn, byText);
  }
  let statement = byText.get(sql);
  if (!statement) {
    statement = conn.prepare(sql);
    byText.set(sql, statement);
    statement.catch(() => byText.delete(sql));
  }
  const s = await statement;
  s.clearBindings();
  s.bind(values);
  return s.runAndReadAll();
}

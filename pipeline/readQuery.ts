/**
 * The analyst read path: one SELECT (or EXPLAIN) statement, run inside a READ ONLY transaction,
 * so a query can never change the warehouse, whether it runs in the service or on a snapshot.
 */
import { type DuckDBConnection, DuckDBTypeId, StatementType } from '@duckdb/node-api';
import { EdumonError, messageOf } from '../core/errors.ts';
import { shanghaiTime } from '../core/shanghai.ts';

export interface QueryResult {
  columns: string[];
  rows: unknown[][];
}

const allowed = new Set([StatementType.SELECT, StatementType.EXPLAIN]);

/** Runs one read-only statement; anything else is refused with a reason. */
export async function readQuery(conn: DuckDBConnection, sql: string, maxRows = 100_000): Promise<QueryResult> {
  let prepared;
  try {
    prepared = await conn.prepare(sql);
  } catch (err) {
    throw new EdumonError(`query: ${messageOf(err)}`, { exitCode: 2 });
  }
  if (!allowed.has(prepared.statementType)) {
    throw new EdumonError(
      `query: only SELECT and EXPLAIN statements are allowed (got ${StatementType[prepared.statementType]}); the warehouse is read-only here`,
      { exitCode: 2 },
    );
  }
  if (prepared.statementType === StatementType.EXPLAIN && !(await explainsSelect(conn, sql))) {
    throw new EdumonError('query: EXPLAIN is allowed only for a SELECT statement; the warehouse is read-only here', { exitCode: 2 });
  }
  await conn.run('begin transaction read only');
  try {
    const reader = await prepared.runAndReadUntil(maxRows + 1);
    const rows = reader.getRowsJson() as unknown[][];
    const tzColumns = reader.columnTypes().flatMap((t, i) => (t.typeId === DuckDBTypeId.TIMESTAMP_TZ ? [i] : []));
    for (const row of rows) for (const i of tzColumns) row[i] = shanghaiTime(row[i]);
    if (rows.length > maxRows) {
      throw new EdumonError(`query: more than ${maxRows} rows; add a LIMIT or aggregate`, { exitCode: 2 });
    }
    return { columns: reader.columnNames(), rows };
  } catch (err) {
    if (err instanceof EdumonError) throw err;
    throw new EdumonError(`query: ${messageOf(err)}`, { exitCode: 2 });
  } finally {
    await conn.run('rollback').catch(() => undefined);
  }
}

/**
 * EXPLAIN ANALYZE runs the statement it explains, and a read-only transaction does not stop
 * `COPY ... TO` from writing a file, so an EXPLAIN must explain a SELECT. Fails closed: if the
 * explained statement cannot be found or prepared, the EXPLAIN is refused.
 */
async function explainsSelect(conn: DuckDBConnection, sql: string): Promise<boolean> {
  const prefix = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*explain\b\s*(?:\((?:[^()'"]|'[^']*'|"[^"]*")*\)\s*)?(?:analy[sz]e\b)?/i.exec(sql);
  if (!prefix) return false;
  try {
    return (await conn.prepare(sql.slice(prefix[0].length))).statementType === StatementType.SELECT;
  } catch {
    return false;
  }
}

/** Kept here for its callers; the one implementation is core/shanghai.ts (any client zone, +08:00). */
export { shanghaiTime };

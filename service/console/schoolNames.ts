/** The registered names of schools by code (the latest registry version), for the rows a page shows. */
import type { DuckDBConnection } from '@duckdb/node-api';
import { runPrepared } from '../../core/preparedStatements.ts';
import { sqlStatements } from '../../core/sqlStatements.ts';

const SQL = sqlStatements('alerts', ['school_names']);

/** Code -> name for the given codes (duplicates and nulls ignored); a school the registry lacks is absent. */
export async function schoolNamesOf(conn: DuckDBConnection, codes: ReadonlyArray<string | null>): Promise<Map<string, string>> {
  const ids = [...new Set(codes.filter((c): c is string => c !== null))];
  if (ids.length === 0) return new Map();
  const rows = (await runPrepared(conn, SQL.school_names, { ids: ids.join(',') })).getRows();
  return new Map(rows.map(([id, name]) => [String(id), String(name)]));
}

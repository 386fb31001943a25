/** Reading a test warehouse directly (only while no edumon process holds it). */
import { DuckDBInstance } from '@duckdb/node-api';
import { eventTables } from '../../domain/eventTables.ts';

export async function queryWarehouse<T = Record<string, unknown>>(file: string, sql: string): Promise<T[]> {
  const instance = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
  const conn = await instance.connect();
  try {
    return (await conn.runAndReadAll(sql)).getRowObjectsJson() as T[];
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** Every event_id the warehouse's event tables hold, sorted. */
export async function storedEventIds(file: string): Promise<string[]> {
  const tables = eventTables;
  const rows = await queryWarehouse<{ event_id: string }>(file, `${tables.map((t) => `select event_id from ${t}`).join(' union all ')} order by event_id`);
  return rows.map((r) => r.event_id);
}

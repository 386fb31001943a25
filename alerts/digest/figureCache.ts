/**
 * The digest figures of each week-end, kept once computed (table digest_figures, migration 0007):
 * a digest shows 8 week-ends and all but the newest were computed for earlier digests, so a
 * week's digests compute one week-end, not eight. A kept week-end is used only while it is what a
 * computation now would give: same SQL and parameters (`key`), and the same number of stored events
 * that had occurred by it (`events`). Event tables are append-only (event_id is their primary key,
 * nothing deletes), so a late event that occurred by the week-end raises the count and the
 * week-end is recomputed; events that occurred after it change nothing it read.
 */
import { createHash } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import { inTransaction } from '../../core/db.ts';
import { eventTables } from '../../domain/eventTables.ts';

/** One row of figures.sql, as DuckDB's JSON rows give it. */
export type FigureRow = Record<string, unknown>;

/** One week-end's figures as computed: the moment (ISO instant), its key, how many events had occurred by it, the rows. */
export interface FigureMoment {
  asOf: string;
  key: string;
  events: number;
  rows: FigureRow[];
}

/** The key of one week-end's figures: sha256 of the SQL text and its parameter values (as_of among them). */
export function momentKey(sql: string, params: Readonly<Record<string, unknown>>): string {
  const sorted = Object.keys(params)
    .sort()
    .map((k) => [k, params[k]]);
  return createHash('sha256').update(sql).update('\n').update(JSON.stringify(sorted)).digest('hex');
}

/**
 * How many stored events had occurred by each of `moments` (ISO instants), in the same order:
 * one pass over every event table's occurred_at. Read inside the transaction that computes the
 * figures, so a count and the figures it vouches for see the same snapshot.
 */
export async function eventsBy(conn: DuckDBConnection, moments: readonly string[]): Promise<number[]> {
  if (!moments.length) return [];
  const counts = moments.map((_, i) => `count(*) filter (where occurred_at <= $m${i}::timestamptz) as c${i}`).join(', ');
  const events = eventTables.map((t) => `select occurred_at from ${t}`).join(' union all ');
  const params = Object.fromEntries(moments.map((m, i) => [`m${i}`, m]));
  const row = (await conn.runAndReadAll(`select ${counts} from (${events})`, params)).getRowObjectsJson()[0] ?? {};
  return moments.map((_, i) => Number(row[`c${i}`] ?? 0));
}

/** The kept week-ends among `moments` (ISO instants), by moment as given. */
export async function keptMoments(conn: DuckDBConnection, moments: readonly string[]): Promise<Map<string, FigureMoment>> {
  const byMs = new Map(moments.map((m) => [Date.parse(m), m]));
  const rows = (
    await conn.runAndReadAll(
      `select epoch_ms(as_of) as ms, key, events, rows::varchar as rows from digest_figures
       where epoch_ms(as_of) in (select unnest(string_split($ms, ','))::bigint)`,
      { ms: [...byMs.keys()].join(',') },
    )
  ).getRowObjectsJson();
  const out = new Map<string, FigureMoment>();
  for (const r of rows) {
    const asOf = byMs.get(Number(r.ms));
    if (asOf !== undefined) out.set(asOf, { asOf, key: String(r.key), events: Number(r.events), rows: JSON.parse(String(r.rows)) as FigureRow[] });
  }
  return out;
}

/** Whether the warehouse behind `conn` can be written (a read-only open, as `edumon digest` makes without the service, cannot). */
export async function writable(conn: DuckDBConnection): Promise<boolean> {
  const r = (await conn.runAndReadAll('select readonly from duckdb_databases() where database_name = current_database()')).getRows()[0];
  return r?.[0] === false;
}

/** Keeps `computed` (replacing what was kept for the same week-ends) in one transaction; the caller checked `writable`. */
export async function keepMoments(conn: DuckDBConnection, computed: readonly FigureMoment[]): Promise<void> {
  if (!computed.length) return;
  await inTransaction(conn, async () => {
    for (const m of computed) {
      await conn.run('insert or replace into digest_figures values ($as_of::timestamptz, $key, $events, $rows::json, now())', {
        as_of: m.asOf,
        key: m.key,
        events: m.events,
        rows: JSON.stringify(m.rows),
      });
    }
  });
}

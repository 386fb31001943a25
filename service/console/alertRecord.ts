/** One alert as its console page reads it: the row, its lifecycle, the emails about it. */
import type { DuckDBConnection } from '@duckdb/node-api';
import { runPrepared } from '../../core/preparedStatements.ts';
import { sqlStatements } from '../../core/sqlStatements.ts';

const SQL = sqlStatements('console', ['alert_get', 'alert_history', 'alert_emails', 'held_count', 'alert_silence']);

export interface AlertRecord {
  id: string;
  rule: string;
  school_id: string | null;
  region_code: string | null;
  period: string;
  subject: string | null;
  severity: string;
  status: string;
  occurrence: number;
  opened_at: string;
  last_seen_at: string;
  resolved_at: string | null;
  observed: string | null;
  threshold: string | null;
  /** The rule's evidence (details JSON): the source event_id and the figures it judged. */
  details: Record<string, unknown>;
  acked_at: string | null;
  ack_note: string | null;
  ack_outcome: string | null;
  acked_by: string | null;
}

/** The alert with id `id`, or null. */
export async function alertRecord(conn: DuckDBConnection, id: string): Promise<AlertRecord | null> {
  const row = (await runPrepared(conn, SQL.alert_get, { id })).getRowObjectsJson()[0];
  if (!row) return null;
  let details: Record<string, unknown> = {};
  try {
    details = row.details ? (JSON.parse(String(row.details)) as Record<string, unknown>) : {};
  } catch {
    details = {};
  }
  return { ...(row as unknown as AlertRecord), occurrence: Number(row.occurrence), details };
}

export interface HistoryEntry {
  at: string;
  kind: string;
  occurrence: number;
  who: string | null;
  outcome: string | null;
  note: string | null;
}

/** Transitions and acknowledgements, oldest first. */
export async function alertHistory(conn: DuckDBConnection, id: string): Promise<HistoryEntry[]> {
  const rows = (await runPrepared(conn, SQL.alert_history, { id })).getRowObjectsJson();
  return rows.map((r) => ({ ...(r as unknown as HistoryEntry), occurrence: Number(r.occurrence) }));
}

export interface EmailEntry {
  id: string;
  contact_id: string;
  address: string;
  notice: string;
  subject: string;
  created_at: string;
  state: string;
  sent_at: string | null;
  attempts: number;
  last_code: number | null;
  last_reply: string | null;
}

/** The alert emails that told of it, newest first. */
export async function alertEmails(conn: DuckDBConnection, id: string): Promise<EmailEntry[]> {
  return (await runPrepared(conn, SQL.alert_emails, { id })).getRowObjectsJson() as unknown as EmailEntry[];
}

/** How many alerts the storm valve holds for `rule`. */
export async function heldCount(conn: DuckDBConnection, rule: string): Promise<number> {
  return Number((await runPrepared(conn, SQL.held_count, { rule })).getRows()[0]?.[0] ?? 0);
}

/** The silence in effect on `alert` at `now` (the longest lasting), or null: until when (ISO 8601) and why. */
export async function silenceOf(
  conn: DuckDBConnection,
  alert: Pick<AlertRecord, 'rule' | 'school_id' | 'region_code'>,
  now: Date,
): Promise<{ until: string; reason: string } | null> {
  const row = (
    await runPrepared(conn, SQL.alert_silence, { rule: alert.rule, school_id: alert.school_id, region_code: alert.region_code, now: now.toISOString() })
  ).getRowObjectsJson()[0];
  return row ? { until: String(row.until), reason: String(row.reason) } : null;
}

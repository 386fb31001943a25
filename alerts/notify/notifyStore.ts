/**
 * What the notification policy reads from the warehouse and writes back: the alerts it
 * considers, what each contact was last told (notify_log), and the school names an email shows.
 * The SQL is in sql/alerts/notify_*.sql.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { appendStaged, appendValues } from '../../core/appendStaged.ts';
import { sqlStatements } from '../../core/sqlStatements.ts';
import type { LogEntry, NotifyAlert } from './policy.ts';

const SQL = sqlStatements('alerts', ['notify_candidates', 'notify_alert', 'notify_log_load', 'notify_log_stage', 'notify_log_upsert', 'school_names']);

/** Which rules' alerts a round considers: a sweep's rules (with the runner alerts about them), or null for every rule. */
export type RuleScope = readonly string[] | null;

const rulesParam = (rules: RuleScope) => (rules === null ? null : rules.join(','));

/** The open alerts, and the resolved ones a contact was told are open, of `rules`; reopenings counted in the 24 h before `now` (ISO). */
export async function loadNotifyCandidates(conn: DuckDBConnection, rules: RuleScope, now: string): Promise<NotifyAlert[]> {
  return notifyAlerts((await conn.runAndReadAll(SQL.notify_candidates, { rules: rulesParam(rules), now })).getRowObjectsJson());
}

/** One alert by id as the policy reads it, or undefined for no such alert. */
export async function loadNotifyAlert(conn: DuckDBConnection, id: string, now: string): Promise<NotifyAlert | undefined> {
  return notifyAlerts((await conn.runAndReadAll(SQL.notify_alert, { id, now })).getRowObjectsJson())[0];
}

function notifyAlerts(rows: Record<string, unknown>[]): NotifyAlert[] {
  return rows.map((r) => {
    const { reopens_last_day, details, ...alert } = r;
    return {
      ...alert,
      details: typeof details === 'string' ? JSON.parse(details) : (details ?? {}),
      reopensLastDay: Number(reopens_last_day),
    } as unknown as NotifyAlert;
  });
}

/** What each contact was last told of the alerts of `rules`. */
export async function loadNotifyLog(conn: DuckDBConnection, rules: RuleScope): Promise<LogEntry[]> {
  const rows = (await conn.runAndReadAll(SQL.notify_log_load, { rules: rulesParam(rules) })).getRowObjectsJson();
  return rows.map((r) => ({ ...r, occurrence: Number(r.occurrence) }) as unknown as LogEntry);
}

/** Records what each contact was told (upserts), inside the caller's transaction. */
export async function writeNotifyLog(conn: DuckDBConnection, entries: readonly LogEntry[]): Promise<void> {
  if (!entries.length) return;
  await conn.run(SQL.notify_log_stage);
  await appendStaged(conn, 'staged_notify_log', entries, (appender, e) =>
    appendValues(appender, [e.alert_id, e.contact_id, e.occurrence, e.status, e.notified_at, e.told_at, e.escalated]),
  );
  await conn.run(SQL.notify_log_upsert);
}

/** The registered name of each of these schools that the registry knows. */
export async function loadSchoolNames(conn: DuckDBConnection, ids: readonly string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const rows = (await conn.runAndReadAll(SQL.school_names, { ids: ids.join(',') })).getRows();
  return new Map(rows.map(([id, name]) => [String(id), String(name)]));
}

/**
 * What the notification policy reads from the warehouse and writes back: the alerts it
 * considers, what each contact was told (notify_log: emails a server accepted), the notices still
 * on their way, and the school names an email shows; it writes what each email tells
 * (outbox_notices), which becomes told when a server accepts it (alerts/notify/outbox.ts).
 * The SQL is in sql/alerts/notify_*.sql and outbox_notices_*.sql.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { appendStaged, appendValues } from '../../core/appendStaged.ts';
import { runPrepared } from '../../core/preparedStatements.ts';
import { sqlStatements } from '../../core/sqlStatements.ts';
import type { NoticeKind } from './model.ts';
import type { LogEntry, NotifyAlert } from './policy.ts';

const SQL = sqlStatements('alerts', [
  'notify_candidates',
  'notify_alert',
  'notify_log_load',
  'notify_queued',
  'outbox_notices_stage',
  'outbox_notices_insert',
  'school_names',
]);

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

/** What each contact was last told (a server accepted the email) of the alerts of `rules`. */
export async function loadNotifyLog(conn: DuckDBConnection, rules: RuleScope): Promise<LogEntry[]> {
  const rows = (await conn.runAndReadAll(SQL.notify_log_load, { rules: rulesParam(rules) })).getRowObjectsJson();
  return rows.map((r) => ({ ...r, occurrence: Number(r.occurrence) }) as unknown as LogEntry);
}

/**
 * The (alert, contact) pairs of `rules` whose last notice no server accepted yet and holds back a
 * new one (sql/alerts/notify_queued.sql), as `alertId\u0000contactId` keys.
 */
export async function loadQueuedNotices(conn: DuckDBConnection, rules: RuleScope): Promise<Set<string>> {
  const rows = (await conn.runAndReadAll(SQL.notify_queued, { rules: rulesParam(rules) })).getRows();
  return new Set(rows.map(([alert, contact]) => `${String(alert)}\u0000${String(contact)}`));
}

/** One alert in one alert email: what the email tells its contact, recorded as told when a server accepts it. */
export interface OutboxNotice {
  outboxId: string;
  alertId: string;
  contactId: string;
  occurrence: number;
  status: 'open' | 'resolved';
  kind: NoticeKind;
  /** The contact receives it as an escalation contact. */
  escalated: boolean;
}

/** Records what each email tells (outbox_notices), inside the caller's transaction (the one writing the emails). */
export async function writeOutboxNotices(conn: DuckDBConnection, notices: readonly OutboxNotice[]): Promise<void> {
  if (!notices.length) return;
  await conn.run(SQL.outbox_notices_stage);
  await appendStaged(conn, 'staged_outbox_notices', notices, (appender, n) =>
    appendValues(appender, [n.outboxId, n.alertId, n.contactId, n.occurrence, n.status, n.kind, n.escalated]),
  );
  await conn.run(SQL.outbox_notices_insert);
}

/**
 * The registered name (the latest version) of each of these schools that the registry knows, by
 * code; duplicates and nulls in `codes` are ignored. Prepared once per connection: the console's
 * pages ask on every request.
 */
export async function loadSchoolNames(conn: DuckDBConnection, codes: ReadonlyArray<string | null>): Promise<Map<string, string>> {
  const ids = [...new Set(codes.filter((c): c is string => c !== null))];
  if (!ids.length) return new Map();
  const rows = (await runPrepared(conn, SQL.school_names, { ids: ids.join(',') })).getRows();
  return new Map(rows.map(([id, name]) => [String(id), String(name)]));
}

/**
 * Alert state in the warehouse: loading one rule's alerts, applying the transitions that
 * alerts/evaluate.ts decided with the record of the run, and what `edumon alerts` reads and
 * writes (the listing, acks, silences). The SQL is in sql/alerts/, one statement per file.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { appendStaged, appendValues } from '../core/appendStaged.ts';
import { inTransaction } from '../core/db.ts';
import { sqlStatements } from '../core/sqlStatements.ts';
import { type Violation, violationSchema } from '../domain/violation.ts';
import { type Alert, alertIdOf, alertText, type Transition } from './evaluate.ts';
import type { RuleRunRow } from './ruleRun.ts';
import type { Silence, Silenceable } from './silences.ts';

const SQL = sqlStatements('alerts', [
  'load_alerts',
  'stage_transitions',
  'apply_transitions',
  'record_run',
  'last_runs',
  'list_alerts',
  'ack_alert',
  'ack_record',
  'load_silences',
  'insert_silence',
  'load_held',
  'clear_held',
  'stage_held',
  'hold_alerts',
  'alert_rule',
]);

/** Every alert of one rule, open or resolved. */
export async function loadAlertStates(conn: DuckDBConnection, rule: string): Promise<Alert[]> {
  const rows = (await conn.runAndReadAll(SQL.load_alerts, { rule })).getRowObjectsJson();
  return rows.map((r) => ({ ...r, details: typeof r.details === 'string' ? JSON.parse(r.details) : (r.details ?? {}) }) as unknown as Alert);
}

/** The columns of sql/alerts/stage_transitions.sql, in its order (the appender fills them by position). */
const STAGED_COLUMNS = ['kind', 'id', 'occurrence', 'happened_at', 'severity', ...violationSchema.keyof().options] as const;

/**
 * Applies one run's transitions and records the run, atomically (its own transaction). Set-based:
 * the transitions are appended to a temp table, then one statement per kind applies them all, so
 * a run that opens or resolves 100,000 alerts (a feed gone wrong) takes a moment, not an hour.
 */
export async function applyTransitions(conn: DuckDBConnection, severity: string, transitions: readonly Transition[], run: RuleRunRow): Promise<void> {
  await inTransaction(conn, () => writeTransitions(conn, severity, transitions, run));
}

/**
 * applyTransitions inside the caller's transaction: a sweep applies all its runs in one. `severity`
 * is given to the alerts opened; without `run`, no run is recorded (a release, a second group of
 * one run's transitions).
 */
export async function writeTransitions(conn: DuckDBConnection, severity: string, transitions: readonly Transition[], run?: RuleRunRow): Promise<void> {
  if (!transitions.length) {
    if (run) await recordRun(conn, run);
    return;
  }
  await conn.run(SQL.stage_transitions);
  await appendStaged(conn, 'staged_transitions', transitions, (appender, t) => {
    const v = t.kind === 'resolve' ? undefined : t.violation;
    const row: Record<(typeof STAGED_COLUMNS)[number], string | number | null> = {
      kind: t.kind,
      id: t.kind === 'open' ? alertIdOf(t.violation) : t.id,
      occurrence: t.kind === 'open' ? 1 : t.kind === 'reopen' ? t.occurrence : null,
      happened_at: t.at,
      severity,
      rule: v?.rule ?? null,
      school_id: v?.school_id ?? null,
      region_code: v?.region_code ?? null,
      period: v?.period ?? null,
      subject: v?.subject ?? null,
      observed: v ? alertText(v.observed) : null,
      threshold: v ? alertText(v.threshold) : null,
      details: v ? JSON.stringify(v.details) : null,
    };
    appendValues(
      appender,
      STAGED_COLUMNS.map((c) => row[c]),
    );
  });
  await conn.run(SQL.apply_transitions);
  if (run) await recordRun(conn, run);
}

/** The violations the storm valve holds for one rule. */
export async function loadHeld(conn: DuckDBConnection, rule: string): Promise<Violation[]> {
  const rows = (await conn.runAndReadAll(SQL.load_held, { rule })).getRowObjectsJson();
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return rows.map((r) => ({
    rule: String(r.rule),
    school_id: (r.school_id as string | null) ?? null,
    region_code: (r.region_code as string | null) ?? null,
    period: String(r.period),
    subject: (r.subject as string | null) ?? null,
    observed: num(r.observed),
    threshold: num(r.threshold),
    details: typeof r.details === 'string' ? JSON.parse(r.details) : ((r.details as Record<string, unknown> | null) ?? {}),
  }));
}

/**
 * Replaces what the storm valve holds for `rule` by `held` (none: forgets them), held as of `at`.
 * Set-based like writeTransitions; inside the caller's transaction.
 */
export async function replaceHeld(conn: DuckDBConnection, rule: string, held: readonly Violation[], at: string): Promise<void> {
  await conn.run(SQL.clear_held, { rule });
  if (!held.length) return;
  await conn.run(SQL.stage_held);
  await appendStaged(conn, 'staged_held', held, (appender, v) =>
    appendValues(appender, [
      v.rule,
      v.school_id,
      v.region_code,
      v.period,
      v.subject,
      alertText(v.observed),
      alertText(v.threshold),
      JSON.stringify(v.details),
      at,
    ]),
  );
  await conn.run(SQL.hold_alerts);
}

/** The rule an alert belongs to, and its subject (a runner-raised alert names its rule there); null for no such alert. */
export async function alertRule(conn: DuckDBConnection, id: string): Promise<{ rule: string; subject: string | null } | null> {
  const row = (await conn.runAndReadAll(SQL.alert_rule, { id })).getRowObjectsJson()[0];
  return row ? { rule: String(row.rule), subject: (row.subject as string | null) ?? null } : null;
}

/** Records a rule run (a failed one too: DQ-RULE-FAILED reads these). */
export async function recordRun(conn: DuckDBConnection, run: RuleRunRow): Promise<void> {
  await conn.run(SQL.record_run, { ...run });
}

/** When each rule last ran, from the recorded runs. */
export async function loadLastRuns(conn: DuckDBConnection): Promise<Map<string, Date>> {
  const recorded = await conn.runAndReadAll(SQL.last_runs);
  return new Map(recorded.getRowObjectsJson().map((r) => [String(r.rule), new Date(String(r.at))]));
}

/** The latest moment each rule judged (rule_runs.effective_as_of), from the recorded runs. */
export async function loadLastEffective(conn: DuckDBConnection): Promise<Map<string, Date>> {
  const recorded = await conn.runAndReadAll(SQL.last_runs);
  return new Map(recorded.getRowObjectsJson().map((r) => [String(r.rule), new Date(String(r.effective))]));
}

/** Which alerts a listing shows: each filter unset for any. */
export interface AlertFilter {
  state?: string;
  region?: string;
  rule?: string;
}

/** The alerts a listing shows (times in Asia/Shanghai, as shown to people), open first, newest first. */
export async function listAlerts(conn: DuckDBConnection, filter: AlertFilter): Promise<(Silenceable & Record<string, unknown>)[]> {
  const params = { state: filter.state ?? null, region: filter.region ?? null, rule: filter.rule ?? null };
  return (await conn.runAndReadAll(SQL.list_alerts, params)).getRowObjectsJson() as (Silenceable & Record<string, unknown>)[];
}

/** The official's judgement of an acknowledged alert (issue 23): what rules' judged precision counts. */
export const ackOutcomes = ['confirmed', 'fixed', 'data_wrong', 'false_alarm'] as const;
export type AckOutcome = (typeof ackOutcomes)[number];

/** One acknowledgement: who (a console login, or `cli`), when (ISO 8601), why and what they found. */
export interface Ack {
  note: string | null;
  outcome: AckOutcome | null;
  by: string;
  at: string;
}

/**
 * Acknowledges an alert (until it reopens) and keeps the acknowledgement in alert_acks, in one
 * transaction; false when there is no alert of that id. `conn` must not be inside a transaction.
 */
export async function ackAlert(conn: DuckDBConnection, id: string, ack: Ack): Promise<boolean> {
  return inTransaction(conn, async () => {
    const params = { id, note: ack.note, outcome: ack.outcome, by: ack.by, at: ack.at };
    const rows = (await conn.runAndReadAll(SQL.ack_alert, params)).getRowObjectsJson();
    const acked = rows[0];
    if (!acked) return false;
    await conn.run(SQL.ack_record, { ...params, occurrence: Number(acked.occurrence) });
    return true;
  });
}

/** Every silence, expired ones too. */
export async function loadSilences(conn: DuckDBConnection): Promise<Silence[]> {
  return (await conn.runAndReadAll(SQL.load_silences)).getRowObjectsJson() as unknown as Silence[];
}

/** Stores a silence, in force from `created_at` (now when unset) until `until`. */
export async function insertSilence(conn: DuckDBConnection, s: Omit<Silence, 'created_at'> & { created_at?: string }): Promise<void> {
  await conn.run(SQL.insert_silence, { ...s, created_at: s.created_at ?? null });
}

/**
 * Alert state in the warehouse: loading one rule's alerts, and applying the transitions that
 * alerts/evaluate.ts decided, in one transaction with the record of the run.
 */
import { createHash } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import { inTransaction } from '../core/db.ts';
import { type AlertState, identityOf, type Transition, type ViolationKey } from './evaluate.ts';

/** A short, stable id for an alert: the same identity always gets the same id. */
export function alertIdOf(k: ViolationKey): string {
  return createHash('sha256').update(identityOf(k)).digest('hex').slice(0, 16);
}

export interface RuleRun {
  rule: string;
  as_of: string;
  started_at: string;
  duration_ms: number;
  rows_found: number | null;
  ok: boolean;
  error: string | null;
}

/** Every alert of one rule, open or resolved. */
export async function loadAlertStates(conn: DuckDBConnection, rule: string): Promise<AlertState[]> {
  const reader = await conn.runAndReadAll(
    `select id, rule, school_id, region_code, period, subject, status, occurrence,
            strftime(opened_at, '%Y-%m-%dT%H:%M:%S.%f%z') as opened_at,
            strftime(last_seen_at, '%Y-%m-%dT%H:%M:%S.%f%z') as last_seen_at,
            strftime(resolved_at, '%Y-%m-%dT%H:%M:%S.%f%z') as resolved_at
     from alerts where rule = $1`,
    [rule],
  );
  return reader.getRowObjectsJson() as unknown as AlertState[];
}

const text = (v: unknown) => (v === null || v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(v));

const STAGED_COLUMNS = ['kind', 'id', 'occurrence', 'happened_at', 'rule', 'school_id', 'region_code', 'period', 'subject', 'observed', 'threshold', 'details'] as const;

/**
 * Applies one run's transitions and records the run, atomically. Set-based: the transitions are
 * appended to a temp table, then one statement per kind applies them all, so a run that opens
 * or resolves 100,000 alerts (a feed gone wrong) takes a moment, not an hour.
 */
export async function applyTransitions(conn: DuckDBConnection, severity: string, transitions: readonly Transition[], run: RuleRun): Promise<void> {
  await conn.run(`create or replace temp table staged_transitions (${STAGED_COLUMNS.map((c) => `${c} ${c === 'occurrence' ? 'integer' : 'varchar'}`).join(', ')})`);
  const appender = await conn.createAppender('staged_transitions', null, 'temp');
  for (const t of transitions) {
    const v = t.kind === 'resolve' ? undefined : t.violation;
    const row: Record<(typeof STAGED_COLUMNS)[number], string | number | null> = {
      kind: t.kind,
      id: t.kind === 'open' ? alertIdOf(t.violation) : t.id,
      occurrence: t.kind === 'open' ? 1 : t.kind === 'reopen' ? t.occurrence : null,
      happened_at: t.at,
      rule: v?.rule ?? null,
      school_id: v?.school_id ?? null,
      region_code: v?.region_code ?? null,
      period: v?.period ?? null,
      subject: v?.subject ?? null,
      observed: v ? text(v.observed) : null,
      threshold: v ? text(v.threshold) : null,
      details: v ? JSON.stringify(v.details ?? {}) : null,
    };
    for (const c of STAGED_COLUMNS) {
      const value = row[c];
      if (value === null) appender.appendNull();
      else if (typeof value === 'number') appender.appendInteger(value);
      else appender.appendVarchar(value);
    }
    appender.endRow();
  }
  appender.closeSync();
  await inTransaction(conn, async () => {
    await conn.run(
      `insert into alerts (id, rule, school_id, region_code, period, subject, severity, status, occurrence, opened_at, last_seen_at, observed, threshold, details)
       select id, rule, school_id, region_code, period, subject, $1, 'open', 1, happened_at::timestamptz, happened_at::timestamptz, observed, threshold, details::json
       from temp.staged_transitions where kind = 'open'`,
      [severity],
    );
    await conn.run(
      `update alerts set last_seen_at = s.happened_at::timestamptz, observed = s.observed, threshold = s.threshold, details = s.details::json
       from temp.staged_transitions s where s.kind = 'still_open' and alerts.id = s.id`,
    );
    await conn.run(
      `update alerts set status = 'open', occurrence = s.occurrence, opened_at = s.happened_at::timestamptz, last_seen_at = s.happened_at::timestamptz,
         resolved_at = null, acked_at = null, ack_note = null, observed = s.observed, threshold = s.threshold, details = s.details::json
       from temp.staged_transitions s where s.kind = 'reopen' and alerts.id = s.id`,
    );
    await conn.run(
      `update alerts set status = 'resolved', resolved_at = s.happened_at::timestamptz
       from temp.staged_transitions s where s.kind = 'resolve' and alerts.id = s.id`,
    );
    await conn.run(
      `insert into alert_transitions
       select s.id, s.kind, coalesce(s.occurrence, a.occurrence), s.happened_at::timestamptz
       from temp.staged_transitions s join alerts a on a.id = s.id where s.kind in ('open', 'reopen', 'resolve')`,
    );
    await recordRun(conn, run);
  });
}

/** Records a rule run (a failed one too: DQ-RULE-FAILED reads these). */
export async function recordRun(conn: DuckDBConnection, run: RuleRun): Promise<void> {
  await conn.run(`insert into rule_runs values ($1, $2::timestamptz, $3::timestamptz, $4, $5, $6, $7)`, [
    run.rule,
    run.as_of,
    run.started_at,
    run.duration_ms,
    run.rows_found,
    run.ok,
    run.error,
  ]);
}

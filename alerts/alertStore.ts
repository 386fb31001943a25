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

/** Applies one successful run's transitions and records the run, atomically. */
export async function applyTransitions(conn: DuckDBConnection, severity: string, transitions: readonly Transition[], run: RuleRun): Promise<void> {
  await inTransaction(conn, async () => {
    for (const t of transitions) {
      if (t.kind === 'open') {
        const v = t.violation;
        const id = alertIdOf(v);
        await conn.run(
          `insert into alerts (id, rule, school_id, region_code, period, subject, severity, status, occurrence, opened_at, last_seen_at, observed, threshold, details)
           values ($1, $2, $3, $4, $5, $6, $7, 'open', 1, $8::timestamptz, $8::timestamptz, $9, $10, $11::json)`,
          [id, v.rule, v.school_id, v.region_code, v.period, v.subject, severity, t.at, text(v.observed), text(v.threshold), JSON.stringify(v.details ?? {})],
        );
        await conn.run(`insert into alert_transitions values ($1, 'open', 1, $2::timestamptz)`, [id, t.at]);
      } else if (t.kind === 'still_open') {
        await conn.run(
          `update alerts set last_seen_at = $2::timestamptz, observed = $3, threshold = $4, details = $5::json where id = $1`,
          [t.id, t.at, text(t.violation.observed), text(t.violation.threshold), JSON.stringify(t.violation.details ?? {})],
        );
      } else if (t.kind === 'reopen') {
        await conn.run(
          `update alerts set status = 'open', occurrence = $2, opened_at = $3::timestamptz, last_seen_at = $3::timestamptz,
             resolved_at = null, acked_at = null, ack_note = null, observed = $4, threshold = $5, details = $6::json
           where id = $1`,
          [t.id, t.occurrence, t.at, text(t.violation.observed), text(t.violation.threshold), JSON.stringify(t.violation.details ?? {})],
        );
        await conn.run(`insert into alert_transitions values ($1, 'reopen', $2, $3::timestamptz)`, [t.id, t.occurrence, t.at]);
      } else {
        await conn.run(`update alerts set status = 'resolved', resolved_at = $2::timestamptz where id = $1`, [t.id, t.at]);
        await conn.run(
          `insert into alert_transitions select id, 'resolve', occurrence, $2::timestamptz from alerts where id = $1`,
          [t.id, t.at],
        );
      }
    }
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

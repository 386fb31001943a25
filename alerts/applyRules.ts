/**
 * Rule runs that change alert state: the rules run in one sweep (a timeout per statement), a successful run
 * moves that rule's alerts through their lifecycle, a failed one opens or keeps DQ-RULE-FAILED
 * for it (resolved by its next successful run). Every run is recorded; one failure never stops
 * the others.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { messageOf } from '../core/errors.ts';
import { applyTransitions, loadAlertStates, type RuleRun as RuleRunRecord } from './alertStore.ts';
import { evaluate, type Transition } from './evaluate.ts';
import type { Rule } from './rules.ts';
import { type RuleRun, type RulesResult, type RunOptions, runRules, SweepStopped, type Violation } from './runRules.ts';

export const RULE_FAILED = 'DQ-RULE-FAILED';

/** The calendar date of a UTC ISO moment in Asia/Shanghai (UTC+8 all year), YYYY-MM-DD. */
export function shanghaiDate(isoUtc: string): string {
  return new Date(Date.parse(isoUtc) + 8 * 3_600_000).toISOString().slice(0, 10);
}

/** The DQ-RULE-FAILED violation naming a rule that failed on a given run. */
export function ruleFailedViolation(rule: string, asOf: string, error: string): Violation {
  return { rule: RULE_FAILED, school_id: null, region_code: null, period: shanghaiDate(asOf), subject: rule, observed: null, threshold: null, details: { error } };
}

/**
 * Runs the rules as of `asOf` in one sweep (runRules: one snapshot, shared state computed once,
 * `timeoutMs` per statement), then applies each rule's result to the alerts. Returns what
 * runRules did (violations of the rules that succeeded, one run entry per rule).
 */
export async function applyRules(
  conn: DuckDBConnection,
  rules: readonly Rule[],
  opts: RunOptions,
): Promise<RulesResult> {
  const result = await runRules(conn, rules, opts);
  const byRule = new Map<string, Violation[]>();
  for (const v of result.violations) {
    const list = byRule.get(v.rule);
    if (list) list.push(v);
    else byRule.set(v.rule, [v]);
  }
  const runs: RuleRun[] = [];
  for (const [i, rule] of rules.entries()) {
    // Stopping between rules leaves each rule's alerts as they were, or fully updated.
    if (opts.signal?.aborted) throw new SweepStopped();
    let run = result.runs[i]!;
    const rows = run.error ? [] : (byRule.get(rule.id) ?? []);
    try {
      await applyRun(conn, rule, rows, run, result.asOf);
    } catch (err) {
      run = { ...run, error: `${rule.file}: alert state not updated: ${messageOf(err)}` };
    }
    runs.push(run);
  }
  const failed = new Set(runs.filter((r) => r.error).map((r) => r.rule));
  return { ...result, violations: result.violations.filter((v) => !failed.has(v.rule)), runs };
}

/** One rule's run applied: its own alerts on success, its DQ-RULE-FAILED alert either way. */
async function applyRun(conn: DuckDBConnection, rule: Rule, rows: Violation[], run: RuleRun, asOf: string): Promise<void> {
  const record: RuleRunRecord = {
    rule: rule.id,
    as_of: asOf,
    started_at: run.startedAt,
    duration_ms: run.ms,
    rows_found: run.error ? null : run.rows,
    ok: !run.error,
    error: run.error ?? null,
  };
  const failedStates = (await loadAlertStates(conn, RULE_FAILED)).filter((a) => a.subject === rule.id);
  let transitions: Transition[];
  let severity: string;
  if (run.error) {
    transitions = evaluate(failedStates, [ruleFailedViolation(rule.id, asOf, run.error)], asOf);
    severity = 'critical';
  } else {
    transitions = [...evaluate(await loadAlertStates(conn, rule.id), rows, asOf), ...evaluate(failedStates, [], asOf)];
    severity = rule.severity;
  }
  await applyTransitions(conn, severity, transitions, record);
}

/**
 * Rule runs that change alert state: each rule runs on its own (with a timeout), a successful run
 * moves that rule's alerts through their lifecycle, a failed one opens or keeps DQ-RULE-FAILED
 * for it (resolved by its next successful run). Every run is recorded; one failure never stops
 * the others.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Config } from '../core/config.ts';
import { messageOf } from '../core/errors.ts';
import { applyTransitions, loadAlertStates, type RuleRun as RuleRunRecord } from './alertStore.ts';
import { evaluate, type Transition } from './evaluate.ts';
import { loadRules, type Rule, ruleById } from './rules.ts';
import { type RuleRun, type RulesRequest, type RulesResult, runRules, type Violation } from './runRules.ts';

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
 * Runs each rule as of `asOf` and applies the result to the alerts. `timeoutMs` interrupts the
 * connection when one rule runs longer. Returns what runRules would (violations of the rules that
 * succeeded, one run entry per rule).
 */
export async function applyRules(
  conn: DuckDBConnection,
  rules: readonly Rule[],
  opts: { config: Pick<Config, 'rules' | 'kafka'>; asOf: string; timeoutMs?: number },
): Promise<RulesResult> {
  const violations: Violation[] = [];
  const runs: RuleRun[] = [];
  let asOf = opts.asOf;
  for (const rule of rules) {
    const startedAt = new Date().toISOString();
    let timedOut = false;
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          conn.interrupt();
        }, opts.timeoutMs)
      : undefined;
    let run: RuleRun;
    try {
      const result = await runRules(conn, [rule], { config: opts.config, asOf });
      asOf = result.asOf;
      run = result.runs[0]!;
      if (timedOut && run.error) run = { ...run, error: `${rule.file}: timed out after ${opts.timeoutMs} ms` };
      if (!run.error) violations.push(...result.violations);
      if (timer) clearTimeout(timer);
      await applyRun(conn, rule, result.violations, run, asOf, startedAt);
    } catch (err) {
      if (timer) clearTimeout(timer);
      // A bad `asOf` is the caller's mistake, not the rule's: let it through before anything ran.
      if (runs.length === 0 && /not a timestamp/.test(messageOf(err))) throw err;
      run = { rule: rule.id, rows: 0, ms: 0, error: `${rule.file}: ${messageOf(err)}` };
    }
    runs.push(run);
  }
  return { asOf, violations, runs };
}

/** One rule's run applied: its own alerts on success, its DQ-RULE-FAILED alert either way. */
async function applyRun(conn: DuckDBConnection, rule: Rule, rows: Violation[], run: RuleRun, asOf: string, startedAt: string): Promise<void> {
  const record: RuleRunRecord = {
    rule: rule.id,
    as_of: asOf,
    started_at: startedAt,
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

/** The requested rule(s) run and applied, with the configured timeout per rule. */
export function applyRulesRequest(conn: DuckDBConnection, config: Pick<Config, 'rules' | 'kafka'>, req: RulesRequest): Promise<RulesResult> {
  const rules = req.rule ? [ruleById(req.rule)] : loadRules();
  return applyRules(conn, rules, { config, asOf: req.at, timeoutMs: config.rules.timeoutMs });
}

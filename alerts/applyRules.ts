/**
 * Rule runs that change alert state: the rules run in one sweep (a timeout per statement), a successful run
 * moves that rule's alerts through their lifecycle, a failed one opens or keeps DQ-RULE-FAILED
 * for it (resolved by its next successful run). Every run is recorded, and a rule's failure never
 * stops the others; the alert changes and run records of a sweep are written in one transaction.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { inTransaction } from '../core/db.ts';
import { messageOf } from '../core/errors.ts';
import type { Violation } from '../ingest/violation.ts';
import { loadAlertStates, writeTransitions } from './alertStore.ts';
import { type Alert, type AlertTransition, evaluate, type Transition, transitionsMade } from './evaluate.ts';
import { type RuleRun, ruleRunRow } from './ruleRun.ts';
import type { Rule } from './rules.ts';
import { type RulesResult, type RunOptions, runRules, SweepStopped } from './runRules.ts';

export const RULE_FAILED = 'DQ-RULE-FAILED';

/** The calendar date of a UTC ISO moment in Asia/Shanghai (UTC+8 all year), YYYY-MM-DD. */
export function shanghaiDate(isoUtc: string): string {
  return new Date(Date.parse(isoUtc) + 8 * 3_600_000).toISOString().slice(0, 10);
}

/** The DQ-RULE-FAILED violation naming a rule that failed on a given run. */
export function ruleFailedViolation(rule: string, asOf: string, error: string): Violation {
  return {
    rule: RULE_FAILED,
    school_id: null,
    region_code: null,
    period: shanghaiDate(asOf),
    subject: rule,
    observed: null,
    threshold: null,
    details: { error },
  };
}

/** What applying a sweep did: runRules' result, and the alerts it opened, reopened and resolved. */
export interface AppliedSweep extends RulesResult {
  /** In the order applied, rule by rule; for a dry run, those it would have made. */
  transitions: AlertTransition[];
}

/**
 * A caller's step run inside the sweep's transaction with the transitions it made (e.g. writing
 * notifications to an outbox): they commit together, or roll back together when it throws.
 */
export type SweepStep = (conn: DuckDBConnection, transitions: readonly AlertTransition[]) => Promise<void>;

export interface ApplyOptions extends RunOptions {
  /**
   * Compute the transitions from the stored alerts, but store nothing and run no step (a rule
   * given twice is evaluated twice against the stored alerts, not against its first run).
   */
  dryRun?: boolean;
  step?: SweepStep;
}

/**
 * Runs the rules as of `asOf` in one sweep (runRules: one snapshot, shared state computed once,
 * `timeoutMs` per statement), then applies each rule's result to the alerts and records each run,
 * all in one transaction with `step`. If that transaction fails (the step threw, say), nothing of
 * it is kept and every run reports the error; only a stop (SweepStopped) throws. Returns what
 * runRules did (violations of the rules that succeeded, one run entry per rule) and the
 * transitions made.
 */
export async function applyRules(conn: DuckDBConnection, rules: readonly Rule[], opts: ApplyOptions): Promise<AppliedSweep> {
  const result = await runRules(conn, rules, opts);
  const byRule = new Map<string, Violation[]>();
  for (const v of result.violations) {
    const list = byRule.get(v.rule);
    if (list) list.push(v);
    else byRule.set(v.rule, [v]);
  }
  const store = !opts.dryRun;
  const apply = async () => {
    const made: AlertTransition[] = [];
    for (const [i, rule] of rules.entries()) {
      // Stopping between rules rolls the sweep back: the alerts stay as they were.
      if (opts.signal?.aborted) throw new SweepStopped();
      const run = result.runs[i]!;
      for (const t of await applyRun(conn, rule, run.error ? [] : (byRule.get(rule.id) ?? []), run, result.asOf, store)) made.push(t);
    }
    if (store && opts.step) await opts.step(conn, made);
    return made;
  };
  if (!store) return { ...result, transitions: await apply() };
  try {
    return { ...result, transitions: await inTransaction(conn, apply) };
  } catch (err) {
    if (err instanceof SweepStopped) throw err;
    const why = `alert state not updated: ${messageOf(err)}`;
    const runs = result.runs.map((run, i): RuleRun => ({ ...run, error: run.error ? `${run.error}; ${why}` : `${rules[i]!.file}: ${why}` }));
    return { ...result, violations: [], runs, transitions: [] };
  }
}

/**
 * One rule's run applied (or, unless `store`, only evaluated): its own alerts on success, its
 * DQ-RULE-FAILED alert either way. Returns the transitions it made.
 */
async function applyRun(conn: DuckDBConnection, rule: Rule, rows: Violation[], run: RuleRun, asOf: string, store: boolean): Promise<AlertTransition[]> {
  const failedStates = (await loadAlertStates(conn, RULE_FAILED)).filter((a) => a.subject === rule.id);
  let previous: Alert[];
  let transitions: Transition[];
  let severity: string;
  if (run.error) {
    previous = failedStates;
    transitions = evaluate(failedStates, [ruleFailedViolation(rule.id, asOf, run.error)], asOf);
    severity = 'critical';
  } else {
    const own = await loadAlertStates(conn, rule.id);
    previous = [...own, ...failedStates];
    transitions = [...evaluate(own, rows, asOf), ...evaluate(failedStates, [], asOf)];
    severity = rule.severity;
  }
  if (store) await writeTransitions(conn, severity, transitions, ruleRunRow(run, asOf));
  return transitionsMade(previous, transitions, severity);
}

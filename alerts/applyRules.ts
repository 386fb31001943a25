/**
 * Rule runs that change alert state: the rules run in one sweep (a timeout per statement), a successful run
 * moves that rule's alerts through their lifecycle, a failed one opens or keeps DQ-RULE-FAILED
 * for it (resolved by its next successful run). Every run is recorded, and a rule's failure never
 * stops the others; the alert changes and run records of a sweep are written in one transaction.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { inTransaction } from '../core/db.ts';
import { messageOf } from '../core/errors.ts';
import { shanghaiDate } from '../core/shanghai.ts';
import type { Violation } from '../domain/violation.ts';
import { identityOf } from '../domain/violation.ts';
import { loadAlertStates, loadHeld, replaceHeld, writeTransitions } from './alertStore.ts';
import { ALERT_STORM, ALERT_STORM_SEVERITY, holdBack, type StormBound, type StormReport, stormBound, stormViolation } from './alertStorm.ts';
import { type AlertTransition, evaluate, type Transition, transitionsMade } from './evaluate.ts';
import { type RuleRun, ruleRunRow } from './ruleRun.ts';
import type { Rule } from './rules.ts';
import { type RulesResult, type RunOptions, runRules, SweepStopped } from './runRules.ts';

export const RULE_FAILED = 'DQ-RULE-FAILED';

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
  /** What the storm valve held back or let through, by rule (only rules it acted on); for a dry run, what it would. */
  storms: StormReport[];
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
  const bound = stormBound(opts.config.rules);
  const apply = async () => {
    const made: AlertTransition[] = [];
    const storms: StormReport[] = [];
    for (const [i, rule] of rules.entries()) {
      // Stopping between rules rolls the sweep back: the alerts stay as they were.
      if (opts.signal?.aborted) throw new SweepStopped();
      const run = result.runs[i]!;
      const applied = await applyRun(conn, rule, run.error ? [] : (byRule.get(rule.id) ?? []), run, result.asOf, store, bound);
      for (const t of applied.transitions) made.push(t);
      if (applied.storm) storms.push(applied.storm);
    }
    if (store && opts.step) await opts.step(conn, made);
    return { transitions: made, storms };
  };
  if (!store) return { ...result, ...(await apply()) };
  try {
    return { ...result, ...(await inTransaction(conn, apply)) };
  } catch (err) {
    if (err instanceof SweepStopped) throw err;
    const why = `alert state not updated: ${messageOf(err)}`;
    const runs = result.runs.map((run, i): RuleRun => ({ ...run, error: run.error ? `${run.error}; ${why}` : `${rules[i]!.file}: ${why}` }));
    return { ...result, violations: [], runs, transitions: [], storms: [] };
  }
}

/**
 * One rule's run applied (or, unless `store`, only evaluated): its own alerts on success, through
 * the storm valve (alerts/alertStorm.ts: the opens it holds are stored, not opened, and its
 * DQ-ALERT-STORM opens, stays or resolves); its DQ-RULE-FAILED alert either way. A failed run
 * leaves the held alerts and the storm as they were: absence from it proves nothing. Returns the
 * transitions it made and what the valve did.
 */
async function applyRun(
  conn: DuckDBConnection,
  rule: Rule,
  rows: Violation[],
  run: RuleRun,
  asOf: string,
  store: boolean,
  bound: StormBound,
): Promise<{ transitions: AlertTransition[]; storm?: StormReport }> {
  const failedStates = (await loadAlertStates(conn, RULE_FAILED)).filter((a) => a.subject === rule.id);
  const runRow = ruleRunRow(run, asOf);
  if (run.error) {
    const transitions = evaluate(failedStates, [ruleFailedViolation(rule.id, asOf, run.error)], asOf);
    if (store) await writeTransitions(conn, 'critical', transitions, runRow);
    return { transitions: transitionsMade(failedStates, transitions, 'critical') };
  }
  const own = await loadAlertStates(conn, rule.id);
  const held = new Set((await loadHeld(conn, rule.id)).map(identityOf));
  const valve = holdBack(rule.id, evaluate(own, rows, asOf), held, bound);
  const stormStates = (await loadAlertStates(conn, ALERT_STORM)).filter((a) => a.subject === rule.id);
  const stormRows = valve.hold.length && valve.report ? [stormViolation(valve.report, bound, asOf)] : [];
  const transitions: Transition[] = [...valve.pass, ...evaluate(failedStates, [], asOf)];
  const stormTransitions = evaluate(stormStates, stormRows, asOf);
  if (store) {
    await writeTransitions(conn, rule.severity, transitions, runRow);
    await writeTransitions(conn, ALERT_STORM_SEVERITY, stormTransitions);
    if (held.size || valve.hold.length) await replaceHeld(conn, rule.id, valve.hold, asOf);
  }
  const made = [
    ...transitionsMade([...own, ...failedStates], transitions, rule.severity),
    ...transitionsMade(stormStates, stormTransitions, ALERT_STORM_SEVERITY),
  ];
  return { transitions: made, ...(valve.report ? { storm: valve.report } : {}) };
}

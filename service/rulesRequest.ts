/**
 * A rule run asked for by a person (`edumon rules run`, directly or through the service's
 * /rules/run route), as opposed to the scheduled sweeps: one rule by id, or the whole catalogue,
 * as of `at`, with the configured timeout per statement.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { type AppliedSweep, applyRules, type SweepStep } from '../alerts/applyRules.ts';
import { loadRules, type Rule, ruleById } from '../alerts/rules.ts';
import type { RulesResult, RunOptions } from '../alerts/runRules.ts';
import type { Config } from '../core/config.ts';

/** The request both the CLI and the service's /rules/run answer: one rule (by id) or all, as of `at`. */
export interface RulesRequest {
  rule?: string;
  at: string;
}

/** What a rule run answers: the violations and runs, and what the storm valve held back (or would). */
export type RulesAnswer = RulesResult & Partial<Pick<AppliedSweep, 'storms'>>;

/**
 * Runs the requested rule(s) without touching alert state (reading it, to say what the storm
 * valve would hold); an unknown rule id fails before anything runs.
 */
export async function runRulesRequest(
  conn: DuckDBConnection,
  config: Pick<Config, 'rules' | 'kafka' | 'feeds'>,
  req: RulesRequest,
  signal?: AbortSignal,
): Promise<RulesAnswer> {
  const { transitions: _, ...result } = await applyRules(conn, requestedRules(req), { ...runOptions(config, req, signal), dryRun: true });
  return result;
}

/**
 * The requested rule(s) run and applied to the alerts, with `step` (the service's notification of
 * them) in the same transaction; the answer leaves out the transitions (the alert rows say them).
 */
export async function applyRulesRequest(
  conn: DuckDBConnection,
  config: Pick<Config, 'rules' | 'kafka' | 'feeds'>,
  req: RulesRequest,
  signal?: AbortSignal,
  step?: (rules: readonly string[]) => SweepStep,
): Promise<RulesAnswer> {
  const rules = requestedRules(req);
  const withStep = step ? { step: step(rules.map((r) => r.id)) } : {};
  const { transitions: _, ...result } = await applyRules(conn, rules, { ...runOptions(config, req, signal), ...withStep });
  return result;
}

/** One rule (by id; an unknown one fails) or the whole catalogue. */
function requestedRules(req: RulesRequest): Rule[] {
  return req.rule ? [ruleById(req.rule)] : loadRules();
}

function runOptions(config: Pick<Config, 'rules' | 'kafka' | 'feeds'>, req: RulesRequest, signal: AbortSignal | undefined): RunOptions {
  return { config, asOf: req.at, timeoutMs: config.rules.timeoutMs, ...(signal ? { signal } : {}) };
}

/**
 * A rule run asked for by a person (`edumon rules run`, directly or through the service's
 * /rules/run route), as opposed to the scheduled sweeps: one rule by id, or the whole catalogue,
 * as of `at`, with the configured timeout per statement.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { applyRules } from '../alerts/applyRules.ts';
import { loadRules, type Rule, ruleById } from '../alerts/rules.ts';
import { type RulesResult, type RunOptions, runRules } from '../alerts/runRules.ts';
import type { Config } from '../core/config.ts';

/** The request both the CLI and the service's /rules/run answer: one rule (by id) or all, as of `at`. */
export interface RulesRequest {
  rule?: string;
  at: string;
}

/** Runs the requested rule(s) without touching alert state; an unknown rule id fails before anything runs. */
export function runRulesRequest(
  conn: DuckDBConnection,
  config: Pick<Config, 'rules' | 'kafka' | 'feeds'>,
  req: RulesRequest,
  signal?: AbortSignal,
): Promise<RulesResult> {
  return runRules(conn, requestedRules(req), runOptions(config, req, signal));
}

/** The requested rule(s) run and applied to the alerts; the answer leaves out the transitions (the alert rows say them). */
export async function applyRulesRequest(
  conn: DuckDBConnection,
  config: Pick<Config, 'rules' | 'kafka' | 'feeds'>,
  req: RulesRequest,
  signal?: AbortSignal,
): Promise<RulesResult> {
  const { transitions: _, ...result } = await applyRules(conn, requestedRules(req), runOptions(config, req, signal));
  return result;
}

/** One rule (by id; an unknown one fails) or the whole catalogue. */
function requestedRules(req: RulesRequest): Rule[] {
  return req.rule ? [ruleById(req.rule)] : loadRules();
}

function runOptions(config: Pick<Config, 'rules' | 'kafka' | 'feeds'>, req: RulesRequest, signal: AbortSignal | undefined): RunOptions {
  return { config, asOf: req.at, timeoutMs: config.rules.timeoutMs, ...(signal ? { signal } : {}) };
}

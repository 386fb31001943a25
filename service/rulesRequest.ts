/**
 * A rule run asked for by a person (`edumon rules run`, directly or through the service's
 * /rules/run route), as opposed to the scheduled sweeps: one rule by id, or the whole catalogue,
 * as of `at`, with the configured timeout per statement.
 *
 * Which moment it judges (README: "Rules"): a dry run on a warehouse that has caught up with
 * everything published answers the question asked, as of `at`, naming per rule the feeds with
 * nothing near it; not caught up (or not known to be), it judges as of the feeds' watermarks. An
 * applying run always judges as of the watermarks, as a scheduled sweep does: what it opens is
 * mailed to officials, and an alert opened on data the feeds cannot vouch for yet would be taken
 * back by the next sweep.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { type AppliedSweep, applyRules, type SweepStep } from '../alerts/applyRules.ts';
import { caughtUp, type IngestState } from '../alerts/feedWatermarks.ts';
import { loadRules, type Rule, ruleById } from '../alerts/rules.ts';
import type { RulesResult, RunOptions } from '../alerts/runRules.ts';
import type { Config } from '../core/config.ts';

/** The request both the CLI and the service's /rules/run answer: one rule (by id) or all, as of `at`. */
export interface RulesRequest {
  rule?: string;
  at: string;
}

/**
 * What a rule run answers: the violations and runs, what the storm valve held back (or would), and
 * what was known of ingestion: `caughtUp` true when every published event was stored, false when
 * `behind` partitions were still being caught up, null when not known (the broker did not answer);
 * `asAsked` when every rule judged as of the requested moment.
 */
export type RulesAnswer = RulesResult & Partial<Pick<AppliedSweep, 'storms'>> & { ingest?: { caughtUp: boolean | null; behind: number }; asAsked?: boolean };

/** What an answer says of ingestion, from what was known of it. */
function ingestOf(ingest: IngestState | undefined): NonNullable<RulesAnswer['ingest']> {
  if (!ingest || (!ingest.endsRead && ingest.lagging.size === 0)) return { caughtUp: null, behind: ingest?.lagging.size ?? 0 };
  return { caughtUp: caughtUp(ingest), behind: ingest.lagging.size };
}

/**
 * Runs the requested rule(s) without touching alert state (reading it, to say what the storm
 * valve would hold); an unknown rule id fails before anything runs. With `ingest` saying nothing
 * is left to read, every rule judges as of `req.at` (see the module comment).
 */
export async function runRulesRequest(
  conn: DuckDBConnection,
  config: Pick<Config, 'rules' | 'kafka' | 'feeds'>,
  req: RulesRequest,
  signal?: AbortSignal,
  ingest?: IngestState,
): Promise<RulesAnswer> {
  const asAsked = caughtUp(ingest);
  const options = { ...runOptions(config, req, signal, ingest), dryRun: true, asRequested: asAsked };
  const { transitions: _, ...result } = await applyRules(conn, requestedRules(req), options);
  return { ...result, ingest: ingestOf(ingest), asAsked };
}

/**
 * The requested rule(s) run and applied to the alerts, with `step` (the service's notification of
 * them) in the same transaction; the answer leaves out the transitions (the alert rows say them).
 * `notBefore`: per rule, the latest moment it already judged as of (epoch ms), which an applied
 * run does not judge before unless asked for an earlier moment (see notBefore in feedWatermarks).
 */
export async function applyRulesRequest(
  conn: DuckDBConnection,
  config: Pick<Config, 'rules' | 'kafka' | 'feeds'>,
  req: RulesRequest,
  signal?: AbortSignal,
  step?: (rules: readonly string[]) => SweepStep,
  ingest?: IngestState,
  notBefore?: ReadonlyMap<string, number>,
): Promise<RulesAnswer> {
  const rules = requestedRules(req);
  const withStep = step ? { step: step(rules.map((r) => r.id)) } : {};
  const floors = notBefore ? { notBefore } : {};
  const { transitions: _, ...result } = await applyRules(conn, rules, { ...runOptions(config, req, signal, ingest), ...withStep, ...floors });
  return { ...result, ingest: ingestOf(ingest), asAsked: false };
}

/** One rule (by id; an unknown one fails) or the whole catalogue. */
function requestedRules(req: RulesRequest): Rule[] {
  return req.rule ? [ruleById(req.rule)] : loadRules();
}

function runOptions(
  config: Pick<Config, 'rules' | 'kafka' | 'feeds'>,
  req: RulesRequest,
  signal: AbortSignal | undefined,
  ingest: IngestState | undefined,
): RunOptions {
  return { config, asOf: req.at, timeoutMs: config.rules.timeoutMs, ...(signal ? { signal } : {}), ...(ingest ? { ingest } : {}) };
}

/**
 * Runs rules as of a moment on a DuckDB connection, with the configured thresholds: one sweep,
 * inside a read-only transaction, so the rules see one snapshot of the warehouse. As-of state that
 * several rules share is computed once per sweep (alerts/sharedState.ts). A rule that fails or
 * runs past the timeout is reported in its run record and never stops the others: DuckDB aborts
 * the transaction on any error, so the sweep rolls back and goes on in a fresh one (later rules
 * then see a newer snapshot and the shared state is computed again when next needed).
 *
 * Each rule judges as of its effective moment: the earliest of the requested moment and its
 * feeds' watermarks (alerts/feedWatermarks.ts), read in the sweep's snapshot; or, asked so
 * (`asRequested`: a person's dry run on a warehouse holding everything published), as of the
 * requested moment, each run then naming its feeds with nothing near that moment. Shared state is
 * computed per moment: rules held back to different moments never share a result.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Config } from '../core/config.ts';
import { EdumonError, messageOf, UsageError } from '../core/errors.ts';
import { parseShanghaiTime } from '../core/shanghai.ts';
import type { Feed } from '../domain/topics.ts';
import type { Violation } from '../domain/violation.ts';
import { type EffectiveMoment, effectiveMoment, type IngestState, latenessOf, loadWatermarks, notBefore, type Watermarks } from './feedWatermarks.ts';
import { type RuleParam, ruleParams } from './ruleParams.ts';
import type { RuleRun } from './ruleRun.ts';
import { type Rule, sqlParams } from './rules.ts';
import { markedMacros, readShared, type SharedCall, sharedCalls } from './sharedState.ts';

/** A shared computation of the sweep: which macro call, how long, how many rows (or why it failed). */
export interface SharedRun {
  call: string;
  rules: string[];
  rows: number;
  ms: number;
  error?: string;
}

export interface RulesResult {
  /** The moment requested (ISO 8601, UTC); each rule judged as of its run's effectiveAsOf, this or earlier. */
  asOf: string;
  /** Each feed's watermark the sweep used (ISO 8601, UTC), null for a feed with nothing stored. */
  watermarks: Record<Feed, string | null>;
  violations: Violation[];
  runs: RuleRun[];
  shared: SharedRun[];
  /** The whole sweep, wall clock. */
  ms: number;
}

let marked: Set<string> | undefined;

export interface RunOptions {
  config: Pick<Config, 'rules' | 'kafka' | 'feeds'>;
  asOf: string;
  timeoutMs?: number;
  /** The feeds' watermarks, if the caller has read them (the scheduler decides what is due from them); else read in the sweep's snapshot. */
  watermarks?: Watermarks;
  /** What is known of ingestion (lagging partitions, the clock), for the watermarks (see feedWatermarks); unknown if unset. */
  ingest?: IngestState;
  /**
   * Judge every rule as of the requested moment, not its feeds' watermarks: for a person's dry run
   * on a warehouse that holds everything published. Each run names its quiet feeds (quietFeeds).
   */
  asRequested?: boolean;
  /**
   * Per rule id, the latest moment (epoch ms) it already judged as of: the rule judges no earlier
   * (see notBefore), as long as that is not past the requested moment. The scheduled sweeps give it.
   */
  notBefore?: ReadonlyMap<string, number>;
  /** Aborting stops the sweep: the statement running is interrupted and runRules throws SweepStopped. */
  signal?: AbortSignal;
}

/** Thrown when a sweep is stopped through its signal (the service is shutting down): nothing is reported. */
export class SweepStopped extends EdumonError {
  constructor() {
    super('rule sweep stopped: the service is shutting down');
  }
}

/**
 * Evaluates `rules` as of `asOf` (any timestamp DuckDB reads as TIMESTAMPTZ; without an offset,
 * Asia/Shanghai). `timeoutMs` interrupts any one statement (a rule, a shared computation) that
 * runs longer. A bad `asOf` throws before anything runs.
 */
export async function runRules(conn: DuckDBConnection, rules: readonly Rule[], opts: RunOptions): Promise<RulesResult> {
  const sweepStarted = performance.now();
  const asOf = normaliseAsOf(opts.asOf);
  const violations: Violation[] = [];
  const runs: RuleRun[] = [];
  const shared: SharedRun[] = [];
  const { signal } = opts;
  const onAbort = () => conn.interrupt();
  signal?.addEventListener('abort', onAbort);
  const statement = async <T>(fn: () => Promise<T>) => {
    if (signal?.aborted) throw new SweepStopped();
    try {
      return await withTimeout(conn, opts.timeoutMs, fn);
    } catch (err) {
      throw signal?.aborted ? new SweepStopped() : err;
    }
  };
  // Any error aborts a DuckDB transaction: start again in a fresh one, whose temp tables are gone.
  const restart = async () => {
    await conn.run('rollback').catch(() => undefined);
    computed.clear();
    await conn.run('begin transaction read only');
  };

  await conn.run('begin transaction read only');
  const watermarks = opts.watermarks ?? (await loadWatermarks(conn, opts.config, opts.ingest));
  const requested = Date.parse(asOf);
  // Each rule's moment, and per moment its parameters and the shared calls of its rules.
  const moments = rules.map(
    (r): EffectiveMoment =>
      opts.asRequested
        ? asAsked(requested, r.feeds, watermarks)
        : notBefore(effectiveMoment(requested, r.feeds, watermarks, r.capped), opts.notBefore?.get(r.id), requested),
  );
  const groups = new Map<string, { params: Record<RuleParam, string | number>; plan: SharedCall[] }>();
  for (const m of moments) {
    const at = utcMoment(m.at);
    if (!groups.has(at)) groups.set(at, { params: ruleParams(opts.config, at), plan: [] });
  }
  marked ??= markedMacros();
  for (const [g, [at, group]] of [...groups].entries()) {
    const mine = rules.filter((_, i) => utcMoment(moments[i]!.at) === at);
    group.plan = sharedCalls(mine, marked).map((s) => ({ ...s, table: `${s.table}_m${g}` }));
  }
  // The values of the parameters a statement uses (a rule reading shared state may no longer use some of its own).
  const paramsOf = (sql: string, all: Record<RuleParam, string | number>) => Object.fromEntries([...sqlParams(sql)].map((p) => [p, all[p as RuleParam]]));
  const computed = new Set<SharedCall>();
  const unshareable = new Set<SharedCall>();
  try {
    for (const [i, rule] of rules.entries()) {
      const moment = moments[i]!;
      const effectiveAsOf = utcMoment(moment.at);
      const group = groups.get(effectiveAsOf)!;
      const plan = group.plan;
      const judged = {
        effectiveAsOf,
        heldBy: moment.heldBy,
        emptyFeeds: moment.empty,
        ...(opts.asRequested ? { quietFeeds: quietFeeds(moment.at, rule.feeds, watermarks, opts.config) } : {}),
      };
      for (const s of plan) {
        if (!s.rules.includes(rule.id) || computed.has(s) || unshareable.has(s)) continue;
        const started = performance.now();
        try {
          const sql = `create or replace temp table ${s.table} as select * from ${s.call}`;
          const reader = await statement(() => conn.runAndReadAll(sql, paramsOf(s.call, group.params)));
          computed.add(s);
          shared.push({ call: s.call, rules: s.rules, rows: Number(reader.getRows()[0]?.[0] ?? 0), ms: elapsed(started) });
        } catch (err) {
          if (err instanceof SweepStopped) throw err;
          // The rules that read it compute it themselves, and fail with the real error if it is theirs.
          unshareable.add(s);
          shared.push({ call: s.call, rules: s.rules, rows: 0, ms: elapsed(started), error: messageOf(err) });
          await restart();
        }
      }
      const startedAt = new Date().toISOString();
      const started = performance.now();
      try {
        const sql = readShared(
          rule.sql,
          [...computed].filter((s) => plan.includes(s)),
        );
        const rows = (await statement(() => conn.runAndReadAll(sql, paramsOf(sql, group.params)))).getRowObjectsJson();
        const found = rows.map(toViolation);
        const stray = found.find((v) => v.rule !== rule.id);
        if (stray) throw new EdumonError(`returned a row for rule '${stray.rule}'; every row's rule must be '${rule.id}'`);
        // Stable output: the SQL's row order is not. (A loop: spreading 100,000 rows into push()
        // overflows the call stack.)
        for (const v of found.sort(compareIdentity)) violations.push(v);
        runs.push({ rule: rule.id, rows: rows.length, ms: elapsed(started), startedAt, ...judged });
      } catch (err) {
        if (err instanceof SweepStopped) throw err;
        runs.push({ rule: rule.id, rows: 0, ms: elapsed(started), startedAt, ...judged, error: `${rule.file}: ${messageOf(err)}` });
        await restart();
      }
      // A shared table no later rule reads is dropped now: memory stays bounded by one moment's state.
      for (const s of plan)
        if (computed.has(s) && !rules.slice(i + 1).some((r) => s.rules.includes(r.id))) {
          await conn.run(`drop table if exists ${s.table}`).catch(() => undefined);
          computed.delete(s);
          unshareable.add(s);
        }
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await conn.run('rollback').catch(() => undefined);
  }
  const shown = Object.fromEntries(Object.entries(watermarks).map(([f, w]) => [f, w.at === null ? null : utcMoment(w.at)])) as Record<Feed, string | null>;
  return { asOf, watermarks: shown, violations, runs, shared, ms: elapsed(sweepStarted) };
}

/** The requested moment itself, held by no feed (a feed with nothing stored is still named). */
function asAsked(requested: number, ruleFeeds: readonly Feed[], watermarks: Watermarks): EffectiveMoment {
  return { at: requested, heldBy: null, empty: ruleFeeds.filter((f) => watermarks[f].lastEventAt === null) };
}

/** A rule's feeds whose last stored event is earlier than `at` (epoch ms) by more than their allowed lateness, and that event's moment. */
function quietFeeds(at: number, ruleFeeds: readonly Feed[], watermarks: Watermarks, config: Pick<Config, 'feeds'>): { feed: Feed; lastEventAt: string }[] {
  return ruleFeeds.flatMap((feed) => {
    const last = watermarks[feed].lastEventAt;
    return last !== null && last < at - latenessOf(feed, config) ? [{ feed, lastEventAt: utcMoment(last) }] : [];
  });
}

/**
 * An epoch-ms moment as UTC ISO 8601, '2025-12-31T15:59:59Z', with milliseconds only when it has
 * some ('2025-12-31T15:59:59.624Z'): a feed's watermark is its latest event's occurred_at to the
 * millisecond, and a moment cut to the second would leave that event unjudged until a later one came.
 */
function utcMoment(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

const elapsed = (since: number) => Math.round(performance.now() - since);

/** Runs one statement; past `timeoutMs` the connection is interrupted and the error says so. */
async function withTimeout<T>(conn: DuckDBConnection, timeoutMs: number | undefined, fn: () => Promise<T>): Promise<T> {
  if (!timeoutMs) return fn();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    conn.interrupt();
  }, timeoutMs);
  try {
    return await fn();
  } catch (err) {
    throw timedOut ? new EdumonError(`timed out after ${timeoutMs} ms`, { cause: err }) : err;
  } finally {
    clearTimeout(timer);
  }
}

/** `at` in UTC (utcMoment); read by the one time parser (no offset = Asia/Shanghai). */
function normaliseAsOf(at: string): string {
  const t = parseShanghaiTime(at);
  if (!t) throw new UsageError(`not a timestamp: '${at}' (expected e.g. 2025-12-31T23:59:59+08:00; without an offset it is Asia/Shanghai)`);
  return utcMoment(t.getTime());
}

/** Orders violations by (school_id, region_code, period, subject), nulls first. */
function compareIdentity(a: Violation, b: Violation): number {
  for (const k of ['school_id', 'region_code', 'period', 'subject'] as const) {
    const x = a[k] ?? '';
    const y = b[k] ?? '';
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

function toViolation(row: Record<string, unknown>): Violation {
  const details = row.details;
  return {
    rule: String(row.rule),
    school_id: str(row.school_id),
    region_code: str(row.region_code),
    period: String(row.period),
    subject: str(row.subject),
    observed: num(row.observed),
    threshold: num(row.threshold),
    details: (typeof details === 'string' ? JSON.parse(details) : (details ?? {})) as Record<string, unknown>,
  };
}

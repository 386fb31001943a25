/**
 * The service's rule runner: one DuckDB connection of its own (not the sink's), every rule run
 * serialised on it and applied to the alerts; and the rule-sweep job of the service's scheduler,
 * whose every tick asks dueRules what to run. The tick only triggers; alerts/schedule.ts decides.
 * Scheduled sweeps wait while ingestion catches up a backlog (more than rules.maxIngestLag events
 * behind); requests from the CLI run regardless. What is due is decided on each rule's effective
 * moment (the wall clock capped by its feeds' watermarks, alerts/feedWatermarks.ts).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { loadLastEffective, loadLastRuns } from '../alerts/alertStore.ts';
import { applyRules } from '../alerts/applyRules.ts';
import { effectiveMoment, loadWatermarks } from '../alerts/feedWatermarks.ts';
import { loadRules } from '../alerts/rules.ts';
import { type RulesResult, SweepStopped } from '../alerts/runRules.ts';
import { dueRules } from '../alerts/schedule.ts';
import type { Config } from '../core/config.ts';
import { messageOf } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { applyRulesRequest, type RulesRequest } from './rulesRequest.ts';
import { createScheduler, type Scheduler } from './scheduler.ts';

export interface RuleSweeps {
  /** Runs a request (from the API) in turn with the scheduled runs, applying the result. */
  run(req: RulesRequest): Promise<RulesResult>;
  /** Runs `fn` on the rules connection in turn with the rule runs (alert acks and silences). */
  exclusive<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T>;
  /** Stops ticking, interrupts the sweep in progress and waits for it to unwind. */
  stop(): Promise<void>;
}

/**
 * Starts the runner on `conn` and adds the rule-sweep job (every 10 s, never overlapping) to
 * `scheduler` (by default one of its own) unless the config turns scheduling off.
 */
export async function startRuleSweeps(opts: {
  conn: DuckDBConnection;
  config: Config;
  log: Logger;
  /** Events the pipeline is behind its topics; scheduled sweeps wait while it exceeds rules.maxIngestLag. */
  ingestLag?: () => number;
  /** The partitions (`topic:partition`) ingestion is still catching up: they hold their feeds' watermarks back. */
  lagging?: () => ReadonlySet<string>;
  scheduler?: Scheduler;
}): Promise<RuleSweeps> {
  const { conn, config, log } = opts;
  let waitingSince: number | undefined;
  let lastWaitLog = 0;
  /** Whether ingestion is too far behind for a scheduled sweep; says so at most once a minute. */
  const catchingUp = (now: number): boolean => {
    const lag = opts.ingestLag?.() ?? 0;
    if (lag <= config.rules.maxIngestLag) {
      if (waitingSince !== undefined) log.info('ingestion caught up: scheduled rules resume', { waited_s: Math.round((now - waitingSince) / 1000) });
      waitingSince = undefined;
      return false;
    }
    waitingSince ??= now;
    if (now - lastWaitLog >= 60_000) {
      log.info('scheduled rules wait for ingestion to catch up', { behind: lag, max: config.rules.maxIngestLag });
      lastWaitLog = now;
    }
    return true;
  };
  const catalogue = loadRules();
  // Seeded from the recorded runs, so a restart does not run the daily rules again the same day.
  const lastRuns = await loadLastRuns(conn);
  // The latest moment each rule judged: a daily rule is due again once its effective moment passes the next 02:00.
  const lastEffective = await loadLastEffective(conn);
  // Aborted on stop: the sweep in progress is interrupted, not waited for.
  const stopping = new AbortController();
  const { signal } = stopping;
  let queue: Promise<unknown> = Promise.resolve();
  const serialised = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn);
    queue = run.catch(() => undefined);
    return run;
  };

  // A tick that comes while the previous sweep still runs is skipped (overlap: false), not queued behind it.
  const sweep = async () => {
    const now = new Date();
    if (catchingUp(now.getTime())) return;
    let due: ReturnType<typeof dueRules> = [];
    try {
      const result = await serialised(async () => {
        const watermarks = await loadWatermarks(conn, config, opts.lagging?.());
        const moments = new Map(catalogue.map((r) => [r.id, effectiveMoment(now.getTime(), r.feeds, watermarks, r.capped)]));
        due = dueRules(catalogue, config.rules, now, lastRuns, { moments, lastEffective });
        if (!due.length) return undefined;
        for (const r of due) lastRuns.set(r.id, now);
        return applyRules(conn, due, { config, asOf: now.toISOString(), watermarks, timeoutMs: config.rules.timeoutMs, signal });
      });
      if (!result) return;
      for (const r of result.runs) lastEffective.set(r.rule, new Date(r.effectiveAsOf));
      for (const r of result.runs) if (r.error) log.warn('rule failed', { rule: r.rule, error: r.error });
      // Not a failure of any rule (each then computed it itself), but slower: e.g. the memory limit.
      for (const s of result.shared)
        if (s.error)
          log.warn('shared as-of state not computed once; its rules computed it themselves', { call: s.call, rules: s.rules.length, error: s.error });
      log.debug('rules ran', { rules: result.runs.length, violations: result.violations.length, ms: result.ms });
    } catch (err) {
      if (err instanceof SweepStopped) log.info('rule sweep stopped for shutdown', { rules: due.length });
      else log.error('scheduled rule run failed', { error: messageOf(err) });
    }
  };

  // Every SEASON_INTERVAL_MS: the finest cadence a rule has (alerts/schedule.ts).
  const job =
    config.rules.schedule === 'on'
      ? (opts.scheduler ?? createScheduler(log)).add({ name: 'rule-sweep', cron: '*/10 * * * * *', overlap: false, run: sweep })
      : undefined;
  if (job) log.info('rules scheduled', { rules: catalogue.length, season: `${config.rules.seasonStart}..${config.rules.seasonEnd}` });

  return {
    run: (req) => serialised(() => applyRulesRequest(conn, config, req, signal)),
    exclusive: (fn) => serialised(() => fn(conn)),
    async stop() {
      await job?.stop();
      stopping.abort();
      await queue;
    },
  };
}

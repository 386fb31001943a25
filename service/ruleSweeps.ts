/**
 * The service's rule runner: two lanes, season and daily, each a DuckDB connection of its own
 * (not the sink's) on which its rule runs are serialised and applied to the alerts; and one job of
 * the service's scheduler per lane, whose every tick asks dueRules what of its cadence to run. The
 * tick only triggers; alerts/schedule.ts decides. A long daily run so never holds back a season
 * tick: the two lanes' transactions write different rules' alerts (and their DQ-RULE-FAILED and
 * DQ-ALERT-STORM alerts, whose subject is the rule), so DuckDB's optimistic concurrency finds no
 * conflict between them. A request runs in the lane of the rule it touches (both lanes, held in
 * turn, for all rules). Scheduled sweeps wait while ingestion catches up a backlog (more than
 * rules.maxIngestLag events behind); requests from the CLI run regardless. What is due is decided
 * on each rule's effective moment (the wall clock capped by its feeds' watermarks, alerts/feedWatermarks.ts).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { type AlertsAnswer, type AlertsRequest, alertsRequest } from '../alerts/alertOps.ts';
import { alertRule, loadLastEffective, loadLastRuns } from '../alerts/alertStore.ts';
import { ALERT_STORM } from '../alerts/alertStorm.ts';
import { applyRules, RULE_FAILED } from '../alerts/applyRules.ts';
import { effectiveMoment, feedWatermarks, readFeedProgress } from '../alerts/feedWatermarks.ts';
import { type Cadence, loadRules, ruleById } from '../alerts/rules.ts';
import { SweepStopped } from '../alerts/runRules.ts';
import { dueRules } from '../alerts/schedule.ts';
import type { Config } from '../core/config.ts';
import { messageOf } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { dailySweepDelay } from './dailySweepDelay.ts';
import { applyRulesRequest, type RulesAnswer, type RulesRequest } from './rulesRequest.ts';
import { createScheduler, type Scheduler } from './scheduler.ts';

export interface RuleSweeps {
  /** Runs a request (from the API) in turn with the scheduled runs of its rules' lane(s), applying the result. */
  run(req: RulesRequest): Promise<RulesAnswer>;
  /** Runs `fn` on the season connection in turn with every rule run of both lanes. */
  exclusive<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T>;
  /** Carries out an `edumon alerts` request in the lane of the rule it touches (list and silence: the season lane). */
  alerts(req: AlertsRequest): Promise<AlertsAnswer>;
  /** Stops ticking, interrupts the sweeps in progress and waits for them to unwind. */
  stop(): Promise<void>;
}

/** A connection and the rule runs serialised on it. */
interface Lane {
  conn: DuckDBConnection;
  serialised<T>(fn: () => Promise<T>): Promise<T>;
  /** Settles when what is queued so far has run. */
  idle(): Promise<unknown>;
}

function lane(conn: DuckDBConnection): Lane {
  let queue: Promise<unknown> = Promise.resolve();
  return {
    conn,
    serialised<T>(fn: () => Promise<T>): Promise<T> {
      const run = queue.then(fn);
      queue = run.catch(() => undefined);
      return run;
    },
    idle: () => queue,
  };
}

/**
 * Starts the runner, season rules on `conn` and daily rules on `dailyConn` (without it, on `conn`
 * too, one after the other), and adds one sweep job per cadence (every 10 s, each never
 * overlapping itself) to `scheduler` (by default one of its own) unless the config turns
 * scheduling off.
 */
export async function startRuleSweeps(opts: {
  conn: DuckDBConnection;
  /** The daily lane's connection, from the same instance as `conn`. */
  dailyConn?: DuckDBConnection;
  config: Config;
  log: Logger;
  /** Events the pipeline is behind its topics; scheduled sweeps wait while it exceeds rules.maxIngestLag. */
  ingestLag?: () => number;
  /** The partitions (`topic:partition`) ingestion is still catching up: they hold their feeds' watermarks back. */
  lagging?: () => Promise<ReadonlySet<string>>;
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
  // Aborted on stop: the sweeps in progress are interrupted, not waited for.
  const stopping = new AbortController();
  const { signal } = stopping;
  const season = lane(conn);
  const daily = opts.dailyConn ? lane(opts.dailyConn) : season;
  const laneOf = (cadence: Cadence) => (cadence === 'daily' ? daily : season);
  /** Both lanes held, season then daily (always in that order, so two such never wait on each other). */
  const both = <T>(fn: () => Promise<T>): Promise<T> => season.serialised(() => (daily === season ? fn() : daily.serialised(fn)));
  // Tests only: a daily sweep that holds its transaction open, as a long one would.
  const dailyStep = dailySweepDelay(config.failpoints.dailySweepDelay, signal);

  // A tick that comes while the lane's previous sweep still runs is skipped (overlap: false), not queued behind it.
  const sweep = (cadence: Cadence) => async () => {
    const now = new Date();
    if (catchingUp(now.getTime())) return;
    const { conn, serialised } = laneOf(cadence);
    const step = cadence === 'daily' ? dailyStep : undefined;
    let due: ReturnType<typeof dueRules> = [];
    try {
      const result = await serialised(async () => {
        // Progress first, then which partitions lag, with ends fetched after it: a feed whose
        // partitions are then caught up holds every message published before its progress was
        // read, so following the frontier (the most advanced feed) claims nothing not yet stored.
        const progress = await readFeedProgress(conn);
        const watermarks = feedWatermarks(progress, config, await opts.lagging?.());
        const moments = new Map(catalogue.map((r) => [r.id, effectiveMoment(now.getTime(), r.feeds, watermarks, r.capped)]));
        due = dueRules(catalogue, config.rules, now, lastRuns, { moments, lastEffective }).filter((r) => r.cadence === cadence);
        if (!due.length) return undefined;
        for (const r of due) lastRuns.set(r.id, now);
        return applyRules(conn, due, { config, asOf: now.toISOString(), watermarks, timeoutMs: config.rules.timeoutMs, signal, ...(step ? { step } : {}) });
      });
      if (!result) return;
      for (const r of result.runs) lastEffective.set(r.rule, new Date(r.effectiveAsOf));
      for (const r of result.runs) if (r.error) log.warn('rule failed', { rule: r.rule, error: r.error });
      // Not a failure of any rule (each then computed it itself), but slower: e.g. the memory limit.
      for (const s of result.shared)
        if (s.error)
          log.warn('shared as-of state not computed once; its rules computed it themselves', { call: s.call, rules: s.rules.length, error: s.error });
      for (const s of result.storms)
        if (s.held) log.warn('alert storm: new alerts held back', { rule: s.rule, held: s.held, found: s.found, share: Math.round(s.share * 100) / 100 });
      log.debug('rules ran', { cadence, rules: result.runs.length, violations: result.violations.length, ms: result.ms });
    } catch (err) {
      if (err instanceof SweepStopped) log.info('rule sweep stopped for shutdown', { cadence, rules: due.length });
      else log.error('scheduled rule run failed', { cadence, error: messageOf(err) });
    }
  };

  // Every SEASON_INTERVAL_MS: the finest cadence a rule has (alerts/schedule.ts). The daily job
  // ticks as often, so that a service started after 02:00 catches up at once.
  const scheduler = config.rules.schedule === 'on' ? (opts.scheduler ?? createScheduler(log)) : undefined;
  const jobs = (['season', 'daily'] as const).map((cadence) =>
    scheduler?.add({ name: `${cadence}-rule-sweep`, cron: '*/10 * * * * *', overlap: false, run: sweep(cadence) }),
  );
  if (scheduler) log.info('rules scheduled', { rules: catalogue.length, season: `${config.rules.seasonStart}..${config.rules.seasonEnd}` });

  /** The lane of the rule an alert belongs to (a runner-raised alert's subject is its rule). */
  const laneOfAlert = async (id: string): Promise<Lane> => {
    const found = await season.serialised(() => alertRule(season.conn, id));
    const rule = found && (found.rule === RULE_FAILED || found.rule === ALERT_STORM) ? found.subject : found?.rule;
    return laneOf(catalogue.find((r) => r.id === rule)?.cadence ?? 'season');
  };

  return {
    run(req) {
      if (!req.rule) return both(() => applyRulesRequest(season.conn, config, req, signal));
      const { conn, serialised } = laneOf(ruleById(req.rule).cadence);
      return serialised(() => applyRulesRequest(conn, config, req, signal));
    },
    exclusive: (fn) => both(() => fn(season.conn)),
    async alerts(req) {
      const target = req.action === 'ack' ? await laneOfAlert(req.id) : req.action === 'release' ? laneOf(ruleById(req.rule).cadence) : season;
      return target.serialised(() => alertsRequest(target.conn, req));
    },
    async stop() {
      await Promise.all(jobs.map((j) => j?.stop()));
      stopping.abort();
      await Promise.all([season.idle(), daily.idle()]);
    },
  };
}

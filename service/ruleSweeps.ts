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
import { applyRules, RULE_FAILED, type SweepStep } from '../alerts/applyRules.ts';
import { effectiveMoment, feedWatermarks, type IngestState, notBefore, readFeedProgress } from '../alerts/feedWatermarks.ts';
import { type Cadence, loadRules, type Rule, ruleById } from '../alerts/rules.ts';
import { SweepStopped } from '../alerts/runRules.ts';
import { dueRules, isInSeason } from '../alerts/schedule.ts';
import { type Clock, wallClock } from '../core/clock.ts';
import type { Config } from '../core/config.ts';
import { messageOf } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { Family } from '../domain/topics.ts';
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
  /** Tells the runner a batch of a topic family was committed: admission events in season start a sweep of their rules. */
  stored(family: Family): void;
  /** What is known of ingestion now (lagging partitions with their ends read now, the service's clock), for a person's dry run. */
  ingestState(): Promise<IngestState | undefined>;
  /**
   * A number that changes each time work on either lane has finished: every write to alerts,
   * silences, acknowledgements and the storm valve is such work, so a reader that saw the same
   * number before and after reading has read nothing stale (the console's board cache).
   */
  version(): number;
  /** Stops ticking, interrupts the sweeps in progress and waits for them to unwind. */
  stop(): Promise<void>;
}

/** How long admission commits are gathered before their sweep starts: a burst is one sweep, not one per batch. */
export const ADMISSION_DEBOUNCE_MS = 100;

/** What the runner needs of notification (alerts/notify/): the sweep step, the round between sweeps, the sender's wake-up. */
export interface SweepNotify {
  /** The step that writes a sweep's notifications to the outbox in its transaction, for the sweep's rules. */
  step(rules: readonly string[]): SweepStep;
  /** A notification round over every rule's alerts as of `now` (reminders, released holds); true if it wrote outbox rows. */
  round(conn: DuckDBConnection, now: Date): Promise<boolean>;
  /** Called after a sweep or round committed: wakes the sender. */
  committed(): void;
}

/** A connection and the rule runs serialised on it. */
interface Lane {
  conn: DuckDBConnection;
  serialised<T>(fn: () => Promise<T>): Promise<T>;
  /** Settles when what is queued so far has run. */
  idle(): Promise<unknown>;
}

/** A lane on `conn`; `finished` is called after each piece of its work has settled. */
function lane(conn: DuckDBConnection, finished: () => void): Lane {
  let queue: Promise<unknown> = Promise.resolve();
  return {
    conn,
    serialised<T>(fn: () => Promise<T>): Promise<T> {
      const run = queue.then(fn).finally(finished);
      queue = run.catch(() => undefined);
      return run;
    },
    idle: () => queue,
  };
}

/**
 * Starts the runner, season rules on `conn` and daily rules on `dailyConn` (without it, on `conn`
 * too, one after the other), and adds one sweep job per cadence (every rules.seasonTickSeconds,
 * 10 s by default, each never overlapping itself) to `scheduler` (by default one of its own) unless the config turns
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
  /**
   * The partitions (`topic:partition`) ingestion is still catching up (they hold their feeds'
   * watermarks back), and whether their ends were read just now (then a feed can be quiet).
   */
  lagging?: () => Promise<{ lagging: ReadonlySet<string>; endsRead: boolean }>;
  /** The service's clock (core/clock.ts; the wall clock by default): sweeps and rounds judge as of it. */
  clock?: Clock;
  scheduler?: Scheduler;
  /** Notification of the sweeps' transitions; without it, nothing is written to the outbox. */
  notify?: SweepNotify;
}): Promise<RuleSweeps> {
  const { conn, config, log } = opts;
  const clock = opts.clock ?? wallClock;
  /** What is known of ingestion now: lagging partitions and the clock (undefined without a consumer, as for tests). */
  const ingestState = async (): Promise<IngestState | undefined> => {
    const seen = await opts.lagging?.();
    return seen ? { ...seen, now: clock() } : undefined;
  };
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
  /** Each rule's latest judged moment (epoch ms): sweeps and the service's applied runs judge no earlier (notBefore). */
  const judgedSoFar = () => new Map([...lastEffective].map(([rule, at]) => [rule, at.getTime()]));
  /** Raises each run rule's latest judged moment to what the run judged as of (never lowers it: a run asked for an earlier moment). */
  const recordJudged = (runs: ReadonlyArray<{ rule: string; effectiveAsOf: string }>) => {
    for (const r of runs) if (Date.parse(r.effectiveAsOf) > (lastEffective.get(r.rule)?.getTime() ?? -1)) lastEffective.set(r.rule, new Date(r.effectiveAsOf));
  };
  // The latest arrival of its feeds' events each rule's last run had seen (feed_progress.updated_at):
  // a rule whose feeds stored events since is due again, though its moment may not have moved.
  const seenArrival = new Map<string, number>();
  // Aborted on stop: the sweeps in progress are interrupted, not waited for.
  const stopping = new AbortController();
  const { signal } = stopping;
  let version = 0;
  const finished = () => {
    version++;
  };
  const season = lane(conn, finished);
  const daily = opts.dailyConn ? lane(opts.dailyConn, finished) : season;
  const laneOf = (cadence: Cadence) => (cadence === 'daily' ? daily : season);
  /** Both lanes held, season then daily (always in that order, so two such never wait on each other). */
  const both = <T>(fn: () => Promise<T>): Promise<T> => season.serialised(() => (daily === season ? fn() : daily.serialised(fn)));
  // Tests only: a daily sweep that holds its transaction open, as a long one would.
  const dailyStep = dailySweepDelay(config.failpoints.dailySweepDelay, signal);

  /** The sweep's step: the lane's failpoint (tests), then the notifications of its transitions, in its transaction. */
  const stepOf = (cadence: Cadence, rules: readonly Rule[]): SweepStep | undefined => {
    const own = cadence === 'daily' ? dailyStep : undefined;
    const notify = opts.notify?.step(rules.map((r) => r.id));
    if (!own || !notify) return own ?? notify;
    return async (c, made) => {
      await own(c, made);
      await notify(c, made);
    };
  };

  /**
   * One sweep of a lane: the rules `pick` chooses among those whose data is known, applied as of
   * now. A scheduled tick picks what dueRules says is due; a commit of admission events in season
   * picks the season rules reading the admission feed whose effective moment moved.
   */
  const sweep =
    (cadence: Cadence, trigger: 'tick' | 'admission' = 'tick') =>
    async () => {
      const now = new Date(clock());
      if (catchingUp(now.getTime())) return;
      const { conn, serialised } = laneOf(cadence);
      let due: ReturnType<typeof dueRules> = [];
      try {
        const result = await serialised(async () => {
          // Progress first, then which partitions lag, with ends fetched after it: a feed whose
          // partitions are then caught up holds every message published before its progress was
          // read, so following the frontier (the most advanced feed) claims nothing not yet stored.
          const progress = await readFeedProgress(conn);
          const watermarks = feedWatermarks(progress, config, await ingestState());
          const floors = judgedSoFar();
          const moments = new Map(
            catalogue.map((r) => [r.id, notBefore(effectiveMoment(now.getTime(), r.feeds, watermarks, r.capped), floors.get(r.id), now.getTime())]),
          );
          const arrived = (r: Rule) => Math.max(0, ...progress.filter((p) => (r.feeds as readonly string[]).includes(p.feed)).map((p) => p.arrivedAt));
          const fresh = new Set(catalogue.filter((r) => arrived(r) > (seenArrival.get(r.id) ?? -1)).map((r) => r.id));
          due =
            trigger === 'tick'
              ? dueRules(catalogue, config.rules, now, lastRuns, { moments, lastEffective, fresh }).filter((r) => r.cadence === cadence)
              : catalogue.filter((r) => {
                  const m = moments.get(r.id)!;
                  const judged = lastEffective.get(r.id);
                  const moved = !judged || m.at > judged.getTime() || fresh.has(r.id);
                  return r.cadence === 'season' && r.feeds.includes('admission') && !m.empty.length && moved;
                });
          if (!due.length) return undefined;
          for (const r of due) {
            lastRuns.set(r.id, now);
            seenArrival.set(r.id, arrived(r));
          }
          const step = stepOf(cadence, due);
          return applyRules(conn, due, {
            config,
            asOf: now.toISOString(),
            watermarks,
            notBefore: floors,
            timeoutMs: config.rules.timeoutMs,
            signal,
            ...(step ? { step } : {}),
          });
        });
        if (!result) return;
        opts.notify?.committed();
        recordJudged(result.runs);
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

  // Every rules.seasonTickSeconds (10 s by default): the finest cadence a rule has (alerts/schedule.ts).
  // The daily job ticks as often, so that a service started after 02:00 catches up at once.
  const scheduled = config.rules.schedule === 'on';
  const tick = config.rules.seasonTickSeconds === 60 ? '0 * * * * *' : `*/${config.rules.seasonTickSeconds} * * * * *`;
  const scheduler = scheduled || opts.notify ? (opts.scheduler ?? createScheduler(log)) : undefined;
  const jobs = scheduled
    ? (['season', 'daily'] as const).map((cadence) => scheduler?.add({ name: `${cadence}-rule-sweep`, cron: tick, overlap: false, run: sweep(cadence) }))
    : [];
  if (scheduled) log.info('rules scheduled', { rules: catalogue.length, season: `${config.rules.seasonStart}..${config.rules.seasonEnd}` });
  // The notification round outside sweeps: reminders, escalations, what a mute window or a silence
  // held, alerts opened by a request or the sender; it holds both lanes, as it reads every rule's alerts.
  const notify = opts.notify;
  if (notify)
    jobs.push(
      scheduler?.add({
        name: 'notify-round',
        cron: tick,
        overlap: false,
        run: async () => {
          if (await both(() => notify.round(season.conn, new Date(clock())))) notify.committed();
        },
      }),
    );

  // Admission events committed in season: their rules run now (debounced; at most one such sweep
  // queued behind the one running), with the tick as the backstop.
  let admissionSweep: Promise<void> | undefined;
  let admissionAgain = false;
  let admissionTimer: NodeJS.Timeout | undefined;
  const nudge = () => {
    if (!scheduled || signal.aborted || !isInSeason(config.rules, new Date(clock()))) return;
    if (admissionSweep !== undefined) {
      admissionAgain = true;
      return;
    }
    if (admissionTimer) return;
    admissionTimer = setTimeout(() => {
      admissionTimer = undefined;
      admissionSweep = sweep('season', 'admission')().finally(() => {
        admissionSweep = undefined;
        if (admissionAgain) {
          admissionAgain = false;
          nudge();
        }
      });
    }, ADMISSION_DEBOUNCE_MS);
  };

  /** The lane of the rule an alert belongs to (a runner-raised alert's subject is its rule). */
  const laneOfAlert = async (id: string): Promise<Lane> => {
    const found = await season.serialised(() => alertRule(season.conn, id));
    const rule = found && (found.rule === RULE_FAILED || found.rule === ALERT_STORM) ? found.subject : found?.rule;
    return laneOf(catalogue.find((r) => r.id === rule)?.cadence ?? 'season');
  };

  return {
    async run(req) {
      const step = opts.notify ? (rules: readonly string[]) => opts.notify!.step(rules) : undefined;
      const lane = req.rule ? laneOf(ruleById(req.rule).cadence) : undefined;
      const apply = async (c: DuckDBConnection) => applyRulesRequest(c, config, req, signal, step, await ingestState(), judgedSoFar());
      const answer = await (lane ? lane.serialised(() => apply(lane.conn)) : both(() => apply(season.conn)));
      recordJudged(answer.runs);
      opts.notify?.committed();
      return answer;
    },
    exclusive: (fn) => both(() => fn(season.conn)),
    async alerts(req) {
      const target = req.action === 'ack' ? await laneOfAlert(req.id) : req.action === 'release' ? laneOf(ruleById(req.rule).cadence) : season;
      return target.serialised(() => alertsRequest(target.conn, req));
    },
    stored(family) {
      if (family === 'admission') nudge();
    },
    ingestState,
    version: () => version,
    async stop() {
      await Promise.all(jobs.map((j) => j?.stop()));
      stopping.abort();
      clearTimeout(admissionTimer);
      await Promise.all([season.idle(), daily.idle(), admissionSweep]);
    },
  };
}

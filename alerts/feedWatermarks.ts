/**
 * Feed watermarks: how far in event time (occurred_at) each feed's stored data is complete, read
 * from feed_progress (written by the sink with the ingest offsets). A pure part, feedWatermarks,
 * decides from plain rows; loadWatermarks reads the rows.
 *
 * Across partitions: a feed's progress is the greatest occurred_at stored from any of its
 * partitions, except while one of its partitions is still being caught up (the service knows
 * which: pipeline/consumer.ts), when the least progress among those lagging partitions holds the
 * feed back; a lagging partition of the feed's topic that has stored none of its events may hold
 * the earliest ones, so the feed then counts as having nothing stored.
 *
 * Lateness closes with time. A feed's allowed lateness (feeds.<feed>.allowedLatenessMinutes, else
 * feeds.allowedLatenessMinutes: 10 minutes; the admission platform's is 0) waits for stragglers:
 * while its events keep arriving, the feed is complete only up to its progress minus the lateness.
 * Once nothing of it has arrived for that long with nothing left to read (the service's clock
 * against feed_progress.updated_at, and no lagging partition), the feed is **quiet**: complete up
 * to its own last event. Without knowing what is left to read (a stopped warehouse whose broker
 * did not answer) no feed is quiet.
 *
 * A feed none of whose partitions lags may be quiet because nothing happened: it then follows the
 * frontier (the latest watermark of any feed's own progress; once every feed is quiet and nothing
 * is left to read, the clock minus the feed's lateness) as far as the calendar explains its quiet
 * (idleHorizon): registry and enrollment always; admission once its last event or the frontier is
 * outside the admission season, up to the next season's start; funds for feeds.funds.maxQuietDays
 * (quarterly disbursements); payroll until its next monthly report is due (the due day of the month
 * after the latest month it reported: September's run, published by 10 October, explains the quiet
 * up to the end of 10 November). No feed follows past its maxQuietDays: beyond it the feed is stale
 * (DQ-STALE-FEED) and holds its rules. A feed with nothing stored has no watermark (null).
 *
 * A watermark read now can be earlier than one read before (a sparse partition caught with a
 * message in flight holds its feed at its own last event); a rule judged again never judges earlier
 * than it already did (notBefore), as the scheduled sweeps and the service's applied runs ask.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Config } from '../core/config.ts';
import { fromShanghaiWall, shanghaiWall } from '../core/shanghai.ts';
import { type Feed, feeds } from '../domain/topics.ts';
import { isInSeason } from './schedule.ts';

/** A feed_progress row: a feed's greatest stored occurred_at from one topic-partition, and when its events last arrived. */
export interface FeedProgress {
  feed: string;
  topic: string;
  partition: number;
  /** Epoch milliseconds. */
  maxOccurredAt: number;
  /** When the feed's events from this partition last arrived (epoch ms, the sink's clock). */
  arrivedAt: number;
  /** Payroll: the latest month (YYYY-MM) its wage or insurance events name; null for the other feeds or unknown. */
  maxPeriod: string | null;
}

/**
 * What is known of ingestion as the watermarks are read: the partitions still being caught up and
 * the clock's moment. Undefined where nothing is known (a stopped warehouse whose broker did not
 * answer): then no partition counts as lagging and no feed as quiet.
 */
export interface IngestState {
  /** `topic:partition` of the partitions with messages not yet stored. */
  lagging: ReadonlySet<string>;
  /** Whether the partitions' ends were read just now: only then is nothing left to read when none lags, and a feed can be quiet. */
  endsRead: boolean;
  /** Epoch ms: the clock (core/clock.ts) when the ends were read. */
  now: number;
}

/** Whether everything published had been stored when `ingest` was read. */
export function caughtUp(ingest: IngestState | undefined): boolean {
  return ingest?.endsRead === true && ingest.lagging.size === 0;
}

/** One feed's watermark (epoch ms, null if the feed has nothing stored), and its progress before the lateness. */
export interface Watermark {
  at: number | null;
  progress: number | null;
  /** Whether it was raised past the feed's own progress to the frontier (an idle feed). */
  followsFrontier: boolean;
  /** Whether nothing of the feed arrived for its allowed lateness with nothing left to read: complete up to its last event. */
  quiet: boolean;
  /** The feed's own latest stored event (epoch ms), null if none. */
  lastEventAt: number | null;
}

export type Watermarks = Record<Feed, Watermark>;

type WatermarkConfig = Pick<Config, 'feeds'> & { rules: Pick<Config['rules'], 'seasonStart' | 'seasonEnd' | 'wageDueDay'> };

const DAY_MS = 86_400_000;

/** A feed's maxQuietDays as ms (infinite where the calendar expects nothing of it). */
function maxQuietMs(feed: Feed, config: WatermarkConfig): number {
  const days = (config.feeds[feed] as { maxQuietDays?: number | null }).maxQuietDays;
  return (days ?? Number.POSITIVE_INFINITY) * DAY_MS;
}

/**
 * When the payroll feed's next monthly report is due, having reported `maxPeriod` (YYYY-MM): the
 * end (epoch ms, exclusive: the next Shanghai midnight) of the due day (rules.wageDueDay, 学前 6's
 * 及时足额发放) of the month after it, as the wage rules count: wages of October are owed from the
 * day after 10 November. Undefined without a period.
 */
export function nextPayrollReportDue(maxPeriod: string | null, config: Pick<WatermarkConfig, 'rules'>): number | undefined {
  const m = maxPeriod ? /^(\d{4})-(\d{2})$/.exec(maxPeriod) : null;
  if (!m) return undefined;
  // Month index of the reported month + 2: the month in which the next month's wages fall due.
  return fromShanghaiWall(Date.UTC(Number(m[1]), Number(m[2]) - 1 + 2, config.rules.wageDueDay + 1));
}

/**
 * How far past its own progress (ms) an idle feed, last heard of at `progress` (epoch ms), may
 * follow the frontier: how long the calendar explains its quiet (see the module comment), never
 * beyond its maxQuietDays. `maxPeriod`: payroll's latest reported month.
 */
export function idleHorizon(feed: Feed, progress: number, frontier: number, config: WatermarkConfig, maxPeriod: string | null = null): number {
  return Math.min(calendarHorizon(feed, progress, frontier, config, maxPeriod), maxQuietMs(feed, config));
}

function calendarHorizon(feed: Feed, progress: number, frontier: number, config: WatermarkConfig, maxPeriod: string | null): number {
  switch (feed) {
    case 'payroll': {
      // Up to the last moment before the next report is due (then that month's wages are owed).
      const due = nextPayrollReportDue(maxPeriod, config);
      return due === undefined ? 0 : Math.max(0, due - 1 - progress);
    }
    case 'admission': {
      // Quiet inside the season is the stale feed DQ-STALE-FEED reports, until that season is over
      // (the frontier is past its last day); then, as outside the season, nothing is expected until
      // the next season starts.
      if (isInSeason(config.rules, new Date(progress)) && frontier < seasonEndAfter(progress, config)) return 0;
      const year = shanghaiWall(progress).getUTCFullYear();
      const start = (y: number) => Date.parse(`${y}-${config.rules.seasonStart}T00:00:00+08:00`);
      return (start(year) > progress ? start(year) : start(year + 1)) - progress;
    }
    default:
      // Registry and enrollment change when something happens; funds are bounded by maxQuietDays.
      return Number.POSITIVE_INFINITY;
  }
}

/**
 * The end (epoch ms, exclusive: the next Shanghai midnight after its last day) of the admission
 * season that contains `inSeason` (epoch ms), for MM-DD bounds that may wrap the new year.
 */
export function seasonEndAfter(inSeason: number, config: Pick<WatermarkConfig, 'rules'>): number {
  const shanghai = shanghaiWall(inSeason).toISOString();
  const year = Number(shanghai.slice(0, 4));
  const { seasonStart, seasonEnd } = config.rules;
  const endYear = seasonStart > seasonEnd && shanghai.slice(5, 10) >= seasonStart ? year + 1 : year;
  return Date.parse(`${endYear}-${seasonEnd}T00:00:00+08:00`) + DAY_MS;
}

/** A feed's own state across its partitions: progress, whether a partition lags, when it last arrived, payroll's month. */
interface Own {
  progress: number;
  lagging: boolean;
  arrivedAt: number;
  maxPeriod: string | null;
}

/**
 * The watermark of every feed. `ingest`: which partitions are still being caught up, and the
 * clock (undefined: not known, e.g. `edumon rules run` on a stopped warehouse whose broker did not
 * answer; then no partition counts as lagging and no feed as quiet).
 */
export function feedWatermarks(rows: readonly FeedProgress[], config: WatermarkConfig, ingest?: IngestState): Watermarks {
  const lagging = ingest?.lagging ?? new Set<string>();
  const own = new Map<Feed, Own>();
  for (const feed of feeds) {
    const mine = rows.filter((r) => r.feed === feed);
    if (!mine.length) continue;
    // A partition of the feed's topic still being caught up that has stored none of the feed's
    // events may hold its earliest ones (a warehouse starting to fill): nothing is known of the
    // feed until it has stored some, as if the feed had nothing stored.
    const topics = new Set(mine.map((r) => r.topic));
    const stored = new Set(mine.map((r) => `${r.topic}:${r.partition}`));
    if ([...lagging].some((tp) => topics.has(tp.slice(0, tp.lastIndexOf(':'))) && !stored.has(tp))) continue;
    const behind = mine.filter((r) => lagging.has(`${r.topic}:${r.partition}`));
    const progress = behind.length ? Math.min(...behind.map((r) => r.maxOccurredAt)) : Math.max(...mine.map((r) => r.maxOccurredAt));
    const periods = mine.map((r) => r.maxPeriod).filter((p): p is string => p !== null);
    own.set(feed, {
      progress,
      lagging: behind.length > 0,
      arrivedAt: Math.max(...mine.map((r) => r.arrivedAt)),
      maxPeriod: periods.sort().at(-1) ?? null,
    });
  }
  const quiet = (feed: Feed, o: Own): boolean => ingest?.endsRead === true && !o.lagging && ingest.now - o.arrivedAt >= latenessOf(feed, config);
  /** How far a feed is complete on its own: its last event once quiet, else that minus its lateness. */
  const complete = (feed: Feed, o: Own) => o.progress - (quiet(feed, o) ? 0 : latenessOf(feed, config));
  const frontier = Math.max(...[...own.values()].map((o) => o.progress));
  // How far the most complete feed is known complete: an idle feed follows this, not the frontier
  // minus its own lateness, so a quiet registry never holds an admission rule minutes behind an
  // admission feed complete to the second.
  const frontierAt = Math.max(...[...own].map(([feed, o]) => complete(feed, o)));
  // Every feed quiet and nothing left to read: the warehouse holds all that was published, and
  // what occurred up to a feed's lateness ago has had its time to arrive.
  const allQuiet = caughtUp(ingest) && own.size > 0 && [...own].every(([feed, o]) => quiet(feed, o));
  const out = {} as Watermarks;
  for (const feed of feeds) {
    const o = own.get(feed);
    if (!o) {
      out[feed] = { at: null, progress: null, followsFrontier: false, quiet: false, lastEventAt: null };
      continue;
    }
    const lateness = latenessOf(feed, config);
    const isQuiet = quiet(feed, o);
    const mine = complete(feed, o);
    const cap = allQuiet && ingest ? Math.max(frontierAt, ingest.now - lateness) : frontierAt;
    const horizon = idleHorizon(feed, o.progress, Math.max(frontier, cap), config, o.maxPeriod);
    const idle = o.lagging ? mine : Math.min(cap, o.progress + horizon - (isQuiet ? 0 : lateness));
    const at = Math.max(mine, idle);
    // A feed following the frontier reports the progress it follows (never past the frontier).
    out[feed] = {
      at,
      progress: at > mine ? Math.max(o.progress, Math.min(Math.max(frontier, cap), at + lateness)) : o.progress,
      followsFrontier: at > mine,
      quiet: isQuiet,
      lastEventAt: o.progress,
    };
  }
  return out;
}

/** A feed's allowed lateness (ms): its own setting, else the feeds' default (feeds.allowedLatenessMinutes). */
export function latenessOf(feed: Feed, config: Pick<Config, 'feeds'>): number {
  const own = (config.feeds[feed] as { allowedLatenessMinutes?: number | null }).allowedLatenessMinutes;
  return (own ?? config.feeds.allowedLatenessMinutes) * 60_000;
}

/** Every feed_progress row. */
export async function readFeedProgress(conn: DuckDBConnection): Promise<FeedProgress[]> {
  const rows = (
    await conn.runAndReadAll(`select feed, topic, "partition", epoch_ms(max_occurred_at), epoch_ms(updated_at), max_period from feed_progress`)
  ).getRows();
  return rows.map(([feed, topic, partition, at, arrived, period]) => ({
    feed: String(feed),
    topic: String(topic),
    partition: Number(partition),
    maxOccurredAt: Number(at),
    arrivedAt: Number(arrived),
    maxPeriod: period === null ? null : String(period),
  }));
}

/** Reads feed_progress and gives every feed's watermark (see feedWatermarks). */
export async function loadWatermarks(conn: DuckDBConnection, config: WatermarkConfig, ingest?: IngestState): Promise<Watermarks> {
  return feedWatermarks(await readFeedProgress(conn), config, ingest);
}

/** No feed's progress known: every rule judges as of the requested moment (tests of a rule's SQL at a moment). */
export function noWatermarks(): Watermarks {
  return Object.fromEntries(feeds.map((f) => [f, { at: null, progress: null, followsFrontier: false, quiet: false, lastEventAt: null }])) as Watermarks;
}

/** A rule's effective moment: the earliest of the requested one and its feeds' watermarks, the feed that set it, and its feeds with nothing stored. */
export interface EffectiveMoment {
  /** Epoch ms. */
  at: number;
  /** The feed whose watermark is earlier than the requested moment (the earliest), or null. */
  heldBy: Feed | null;
  /** Feeds the rule reads that have nothing stored: nothing is known, the scheduler does not run it. */
  empty: Feed[];
}

/**
 * The moment a rule reading `ruleFeeds` judges as of, asked for `requested` (epoch ms). An
 * uncapped rule (a data-health rule reporting the feeds themselves) judges as of `requested`.
 */
export function effectiveMoment(requested: number, ruleFeeds: readonly Feed[], watermarks: Watermarks, capped = true): EffectiveMoment {
  const empty = ruleFeeds.filter((f) => watermarks[f].at === null);
  let at = requested;
  let heldBy: Feed | null = null;
  if (capped)
    for (const f of ruleFeeds) {
      const w = watermarks[f].at;
      // On a tie, name the feed whose own progress sets the moment, not one following the frontier.
      const tieBreak = w === at && heldBy !== null && watermarks[heldBy].followsFrontier && !watermarks[f].followsFrontier;
      if (w !== null && (w < at || tieBreak)) {
        at = w;
        heldBy = f;
      }
    }
  return { at, heldBy, empty };
}

/**
 * `moment` raised to `floor` (epoch ms: the latest moment the rule already judged as of), never
 * past `requested`. A feed's watermark can fall back: a sparse partition caught with a message in
 * flight holds the feed at its own last event, days before what the feed was known complete to
 * when that partition was last caught up. What was complete then still is, so a rule judged again
 * judges no earlier: otherwise it would take back alerts the data still supports and open them
 * again a sweep later. Unchanged without a floor or when the moment is not before it.
 */
export function notBefore(moment: EffectiveMoment, floor: number | undefined, requested: number): EffectiveMoment {
  if (floor === undefined || moment.at >= floor) return moment;
  const at = Math.min(floor, requested);
  return at > moment.at ? { ...moment, at } : moment;
}

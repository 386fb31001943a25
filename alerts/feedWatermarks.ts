/**
 * Feed watermarks: how far in event time (occurred_at) each feed's stored data is complete, read
 * from feed_progress (written by the sink with the ingest offsets). A pure part, feedWatermarks,
 * decides from plain rows; loadWatermarks reads the rows.
 *
 * Across partitions: a feed's progress is the greatest occurred_at stored from any of its
 * partitions, except while one of its partitions is still being caught up (the service knows
 * which: pipeline/consumer.ts), when the least progress among those lagging partitions holds the
 * feed back; a lagging partition of the feed's topic that has stored none of its events may hold
 * the earliest ones, so the feed then counts as having nothing stored. Minus the feed's allowed
 * lateness (feeds.<feed>.allowedLatenessMinutes, else feeds.allowedLatenessMinutes: 10 minutes;
 * the admission platform's is 0), that is the watermark.
 *
 * A feed none of whose partitions lags may be quiet because nothing happened: it then follows the
 * event-time frontier (the latest watermark of any feed's own progress) as far as the calendar explains its
 * quiet (idleHorizon): registry and enrollment always (no calendar expectation); admission once
 * its last event or the frontier is outside the admission season, up to the next season's start; funds for its feeds.funds.maxQuietDays
 * (quarterly disbursements); payroll never: wages and insurance are paid every month and
 * WAGE-MISSING and INSURANCE-MISSING judge their absence, so they are judged only as far as the
 * payroll feed has itself reported. A feed with nothing stored has no watermark (null).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { type Config, type Feed, feeds } from '../core/config.ts';
import { isInSeason } from './schedule.ts';

/** A feed_progress row: a feed's greatest stored occurred_at from one topic-partition. */
export interface FeedProgress {
  feed: string;
  topic: string;
  partition: number;
  /** Epoch milliseconds. */
  maxOccurredAt: number;
}

/** One feed's watermark (epoch ms, null if the feed has nothing stored), and its progress before the lateness. */
export interface Watermark {
  at: number | null;
  progress: number | null;
  /** Whether it was raised past the feed's own progress to the frontier (an idle feed). */
  followsFrontier: boolean;
}

export type Watermarks = Record<Feed, Watermark>;

type WatermarkConfig = Pick<Config, 'feeds'> & { rules: Pick<Config['rules'], 'seasonStart' | 'seasonEnd'> };

/**
 * How far past its own progress (ms) an idle feed, last heard of at `progress` (epoch ms), may
 * follow the frontier: how long the calendar explains its quiet (see the module comment).
 */
export function idleHorizon(feed: Feed, progress: number, frontier: number, config: WatermarkConfig): number {
  switch (feed) {
    case 'payroll':
      return 0;
    case 'admission': {
      // Quiet inside the season is the stale feed DQ-STALE-FEED reports, until that season is over
      // (the frontier is past its last day); then, as outside the season, nothing is expected until
      // the next season starts.
      if (isInSeason(config.rules, new Date(progress)) && frontier < seasonEndAfter(progress, config)) return 0;
      const year = Number(new Date(progress + 8 * 3_600_000).toISOString().slice(0, 4));
      const start = (y: number) => Date.parse(`${y}-${config.rules.seasonStart}T00:00:00+08:00`);
      return (start(year) > progress ? start(year) : start(year + 1)) - progress;
    }
    case 'funds':
      return (config.feeds.funds.maxQuietDays ?? Number.POSITIVE_INFINITY) * 86_400_000;
    default:
      return Number.POSITIVE_INFINITY;
  }
}

/**
 * The end (epoch ms, exclusive: the next Shanghai midnight after its last day) of the admission
 * season that contains `inSeason` (epoch ms), for MM-DD bounds that may wrap the new year.
 */
export function seasonEndAfter(inSeason: number, config: WatermarkConfig): number {
  const shanghai = new Date(inSeason + 8 * 3_600_000).toISOString();
  const year = Number(shanghai.slice(0, 4));
  const { seasonStart, seasonEnd } = config.rules;
  const endYear = seasonStart > seasonEnd && shanghai.slice(5, 10) >= seasonStart ? year + 1 : year;
  return Date.parse(`${endYear}-${seasonEnd}T00:00:00+08:00`) + 86_400_000;
}

/**
 * The watermark of every feed. `lagging` holds `topic:partition` of the partitions still being
 * caught up (undefined: none known, e.g. `edumon rules run` on a stopped warehouse).
 */
export function feedWatermarks(rows: readonly FeedProgress[], config: WatermarkConfig, lagging: ReadonlySet<string> = new Set()): Watermarks {
  const own = new Map<Feed, { progress: number; lagging: boolean }>();
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
    own.set(feed, { progress, lagging: behind.length > 0 });
  }
  const frontier = Math.max(...[...own.values()].map((o) => o.progress));
  // How far the most complete feed is known complete: an idle feed follows this, not the frontier
  // minus its own lateness, so a quiet registry never holds an admission rule minutes behind an
  // admission feed complete to the second.
  const frontierAt = Math.max(...[...own].map(([feed, o]) => o.progress - latenessOf(feed, config)));
  const out = {} as Watermarks;
  for (const feed of feeds) {
    const o = own.get(feed);
    if (!o) {
      out[feed] = { at: null, progress: null, followsFrontier: false };
      continue;
    }
    const lateness = latenessOf(feed, config);
    const mine = o.progress - lateness;
    const idle = o.lagging ? mine : Math.min(frontierAt, o.progress + idleHorizon(feed, o.progress, frontier, config) - lateness);
    const at = Math.max(mine, idle);
    // A feed following the frontier reports the progress it follows (never past the frontier).
    out[feed] = { at, progress: at > mine ? Math.max(o.progress, Math.min(frontier, at + lateness)) : o.progress, followsFrontier: at > mine };
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
  const rows = (await conn.runAndReadAll(`select feed, topic, "partition", epoch_ms(max_occurred_at) as at from feed_progress`)).getRows();
  return rows.map(([feed, topic, partition, at]) => ({ feed: String(feed), topic: String(topic), partition: Number(partition), maxOccurredAt: Number(at) }));
}

/** Reads feed_progress and gives every feed's watermark (see feedWatermarks). */
export async function loadWatermarks(conn: DuckDBConnection, config: WatermarkConfig, lagging?: ReadonlySet<string>): Promise<Watermarks> {
  return feedWatermarks(await readFeedProgress(conn), config, lagging);
}

/** No feed's progress known: every rule judges as of the requested moment (tests of a rule's SQL at a moment). */
export function noWatermarks(): Watermarks {
  return Object.fromEntries(feeds.map((f) => [f, { at: null, progress: null, followsFrontier: false }])) as Watermarks;
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

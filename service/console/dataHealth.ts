/**
 * The data-health page's data (issue 23, part 8): each feed's progress, watermark, catching-up
 * partitions and whether it is stale; the rejected messages by topic and reason; the outbox by
 * state. Read on one console connection; what ingestion is doing now comes from the service
 * (ConsoleDeps ingestState). Times are epoch milliseconds; the page shows them in Asia/Shanghai.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { feedWatermarks, type IngestState, readFeedProgress, type Watermark } from '../../alerts/feedWatermarks.ts';
import { isInSeason } from '../../alerts/schedule.ts';
import type { Config } from '../../core/config.ts';
import { shanghaiDate } from '../../core/shanghai.ts';
import { sqlStatements } from '../../core/sqlStatements.ts';
import { familyOf, typesByFeed } from '../../domain/contract.ts';
import { type Feed, feeds, topicsOf } from '../../domain/topics.ts';

const SQL = sqlStatements('console', ['health_rejections', 'health_outbox', 'health_outbox_waiting', 'health_stale_alerts']);

const DAY_MS = 86_400_000;

/** How long a feed may be quiet before it is stale (DQ-STALE-FEED): minutes inside the admission season, days, or never (null). */
export type QuietLimit = { minutes: number; inSeasonOnly: true } | { days: number } | null;

/** One feed as the page shows it. */
export interface FeedHealth {
  feed: Feed;
  /** The topic that carries it. */
  topic: string;
  /** Its latest stored event (occurred_at) and when its events last arrived; null with nothing stored. */
  lastEventMs: number | null;
  arrivedMs: number | null;
  /** The rules' watermark of it now (alerts/feedWatermarks.ts). */
  watermark: Watermark;
  /** Partitions of its topic with messages not yet stored; null when not known (the broker did not answer). */
  laggingPartitions: number | null;
  quietLimit: QuietLimit;
  /** The open DQ-STALE-FEED alert on it, if any. */
  staleAlert: { id: string; openedMs: number; observed: string | null; threshold: string | null; unit: string | null } | null;
  /** Quiet beyond its limit now, by the clock (whether or not a sweep has said so yet). */
  pastQuiet: boolean;
}

export interface DataHealth {
  feeds: FeedHealth[];
  rejections: Array<{ topic: string; reason: string; n: number; firstMs: number; lastMs: number }>;
  outbox: Array<{ state: string; kind: string; n: number; oldestMs: number; newestMs: number; nextAttemptMs: number | null }>;
  /** Failed, held or unknown emails, newest first (at most `waitingLimit`). */
  waiting: Array<{ id: string; createdMs: number; contactId: string; kind: string; subject: string; state: string; attempts: number; lastCode: number | null }>;
}

/** A feed's allowed quiet (core/config.ts feeds; the admission platform's is rules.staleFeedMinutes, in season). */
export function quietLimitOf(feed: Feed, config: Pick<Config, 'feeds' | 'rules'>): QuietLimit {
  if (feed === 'admission') return { minutes: config.rules.staleFeedMinutes, inSeasonOnly: true };
  const days = (config.feeds[feed] as { maxQuietDays?: number | null }).maxQuietDays;
  return days ? { days } : null;
}

/** Whether a feed last heard of at `lastMs` is quiet past `limit` at `nowMs`, as DQ-STALE-FEED judges it (admission: both moments in the same season). */
export function pastQuiet(limit: QuietLimit, lastMs: number | null, nowMs: number, rules: Pick<Config['rules'], 'seasonStart' | 'seasonEnd'>): boolean {
  if (limit === null || lastMs === null) return false;
  if ('days' in limit) return nowMs - lastMs >= limit.days * DAY_MS;
  const sameSeason =
    isInSeason(rules, new Date(lastMs)) && isInSeason(rules, new Date(nowMs)) && shanghaiDate(lastMs).slice(0, 4) === shanghaiDate(nowMs).slice(0, 4);
  return sameSeason && nowMs - lastMs >= limit.minutes * 60_000;
}

/** Reads everything the page shows. `ingest`: what the service knows of ingestion now (undefined: nothing known). */
export async function dataHealth(
  conn: DuckDBConnection,
  config: Config,
  ingest: IngestState | undefined,
  nowMs: number,
  waitingLimit = 20,
): Promise<DataHealth> {
  const progress = await readFeedProgress(conn);
  const watermarks = feedWatermarks(progress, config, ingest);
  const stale = new Map(
    (await conn.runAndReadAll(SQL.health_stale_alerts)).getRowObjectsJson().map((r) => [
      String(r.feed),
      {
        id: String(r.id),
        openedMs: Number(r.opened_ms),
        observed: r.observed === null ? null : String(r.observed),
        threshold: r.threshold === null ? null : String(r.threshold),
        unit: r.unit === null ? null : String(r.unit),
      },
    ]),
  );
  const topics = topicsOf(config);
  const feedRows = feeds.map((feed): FeedHealth => {
    const mine = progress.filter((p) => p.feed === feed);
    const topic = topics[familyOf[typesByFeed[feed][0]]];
    const lastEventMs = mine.length ? Math.max(...mine.map((p) => p.maxOccurredAt)) : null;
    const quietLimit = quietLimitOf(feed, config);
    return {
      feed,
      topic,
      lastEventMs,
      arrivedMs: mine.length ? Math.max(...mine.map((p) => p.arrivedAt)) : null,
      watermark: watermarks[feed],
      laggingPartitions: ingest ? [...ingest.lagging].filter((tp) => tp.slice(0, tp.lastIndexOf(':')) === topic).length : null,
      quietLimit,
      staleAlert: stale.get(feed) ?? null,
      pastQuiet: pastQuiet(quietLimit, lastEventMs, nowMs, config.rules),
    };
  });
  const rejections = (await conn.runAndReadAll(SQL.health_rejections)).getRowObjectsJson().map((r) => ({
    topic: String(r.topic),
    reason: String(r.reason),
    n: Number(r.n),
    firstMs: Number(r.first_ms),
    lastMs: Number(r.last_ms),
  }));
  const outbox = (await conn.runAndReadAll(SQL.health_outbox)).getRowObjectsJson().map((r) => ({
    state: String(r.state),
    kind: String(r.kind),
    n: Number(r.n),
    oldestMs: Number(r.oldest_ms),
    newestMs: Number(r.newest_ms),
    nextAttemptMs: r.next_attempt_ms === null ? null : Number(r.next_attempt_ms),
  }));
  const waiting = (await conn.runAndReadAll(SQL.health_outbox_waiting, { limit: waitingLimit })).getRowObjectsJson().map((r) => ({
    id: String(r.id),
    createdMs: Number(r.created_ms),
    contactId: String(r.contact_id),
    kind: String(r.kind),
    subject: String(r.subject),
    state: String(r.state),
    attempts: Number(r.attempts),
    lastCode: r.last_code === null ? null : Number(r.last_code),
  }));
  return { feeds: feedRows, rejections, outbox, waiting };
}

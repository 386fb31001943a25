/**
 * The digest's sections that come from the alert lifecycle and ingestion rather than the figures:
 * whether the week's numbers can be trusted (stale feeds, failed rules, rejected messages, unknown
 * schools) and the alerts of the week. Rebuilt from the stored history (alert_transitions,
 * rejections), so any past week reads the same later. SQL in sql/digest/.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlStatements } from '../../core/sqlStatements.ts';
import type { AlertCount, DataQuality, IsoWeek, WeekAlerts } from './model.ts';

const SQL = sqlStatements('digest', [
  'quality_stale_feeds',
  'quality_failed_rules',
  'quality_rejections',
  'quality_unknown_schools',
  'week_alert_counts',
  'week_flaps',
  'week_oldest_unacked',
]);

const rows = async (conn: DuckDBConnection, sql: string, params: Record<string, string | null>) =>
  (await conn.runAndReadAll(sql, params)).getRowObjectsJson() as Record<string, unknown>[];

/** Whether the week's numbers can be trusted: what DQ-STALE-FEED and DQ-UNKNOWN-SCHOOL held at its end, rules that failed and messages rejected during it. */
export async function weekQuality(conn: DuckDBConnection, week: IsoWeek): Promise<DataQuality> {
  const range = { start: week.start, end: week.end };
  const stale = await rows(conn, SQL.quality_stale_feeds, { end: week.end });
  const failed = await rows(conn, SQL.quality_failed_rules, range);
  const rejected = await rows(conn, SQL.quality_rejections, range);
  const unknown = await rows(conn, SQL.quality_unknown_schools, { end: week.end });
  return {
    staleFeeds: stale.map((r) => ({ feed: String(r.feed), behind: Number(r.behind ?? 0), unit: String(r.unit) })),
    failedRules: failed.map((r) => ({ rule: String(r.rule), error: String(r.error) })),
    rejections: rejected.map((r) => ({ reason: String(r.reason), count: Number(r.count) })),
    unknownSchools: Number(unknown[0]?.n ?? 0),
  };
}

/**
 * The alerts of the week in `regions` (null: every region and the data-health alerts): opened,
 * resolved and still open at its end by rule and region, the flapping ones, and the oldest
 * unacknowledged with their age in days at the week's end.
 */
export async function weekAlerts(conn: DuckDBConnection, week: IsoWeek, regions: readonly string[] | null): Promise<WeekAlerts> {
  const params = { start: week.start, end: week.end, regions: regions === null ? null : regions.join(',') };
  const counts = await rows(conn, SQL.week_alert_counts, params);
  const of = (what: string): AlertCount[] =>
    counts.filter((r) => r.what === what).map((r) => ({ rule: String(r.rule), region: (r.region_code as string | null) ?? null, count: Number(r.n) }));
  const flaps = await rows(conn, SQL.week_flaps, params);
  const oldest = await rows(conn, SQL.week_oldest_unacked, { end: week.end, regions: params.regions });
  const end = Date.parse(week.end);
  return {
    opened: of('opened'),
    resolved: of('resolved'),
    stillOpen: of('still_open'),
    flaps: flaps.map((r) => ({
      alertId: String(r.alert_id),
      rule: String(r.rule),
      region: (r.region_code as string | null) ?? null,
      reopens: Number(r.reopens),
    })),
    oldestUnacked: oldest.map((r) => ({
      alertId: String(r.alert_id),
      rule: String(r.rule),
      region: (r.region_code as string | null) ?? null,
      schoolId: (r.school_id as string | null) ?? null,
      openedAt: String(r.opened_at),
      ageDays: Math.floor((end - Date.parse(String(r.opened_at))) / 86_400_000),
    })),
  };
}

/**
 * The digest's sections that come from the rules rather than the figures: whether the week's
 * numbers can be trusted (stale feeds, rules that failed, rejected messages, unknown schools) and
 * the alerts of the week. A week means event time here as in the figures (issue 22): every rule is
 * judged as of the week's start and as of its end, as `edumon rules run --dry-run --at` judges
 * (alerts/runRules.ts, asRequested), and the two answers compared, so a digest built late, after a
 * backfill or a catch-up says what one built on time says. Apart from them, and labelled so, what
 * the alert lifecycle did during the week by the clock: alerts first detected (opened or reopened),
 * flaps, the oldest unacknowledged (alert_transitions; SQL in sql/digest/).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Config } from '../../core/config.ts';
import { sqlStatements } from '../../core/sqlStatements.ts';
import { identityOf, type Violation } from '../../domain/violation.ts';
import { loadRules } from '../rules.ts';
import { type RulesResult, runRules } from '../runRules.ts';
import type { AlertCount, DataQuality, DetectedAlerts, IsoWeek, WeekAlerts } from './model.ts';

const SQL = sqlStatements('digest', ['quality_rejections', 'week_alert_counts', 'week_flaps', 'week_oldest_unacked']);

const rows = async (conn: DuckDBConnection, sql: string, params: Record<string, string | null>) =>
  (await conn.runAndReadAll(sql, params)).getRowObjectsJson() as Record<string, unknown>[];

/** Every rule of sql/rules/ judged as of the week's start (the last moment of the week before) and as of its end (IsoWeek.asOf). */
export interface WeekJudged {
  start: RulesResult;
  end: RulesResult;
}

/**
 * Judges every rule as of the week's start and end by event time, whatever the feeds' watermarks
 * (a dry run: no alert state changes, nothing is recorded). Two sweeps, each in a read-only
 * transaction of `conn` (so `conn` must not be in one); a rule that fails is in the runs with its
 * error, not thrown.
 */
export async function judgeWeek(conn: DuckDBConnection, config: Pick<Config, 'rules' | 'kafka' | 'feeds'>, week: IsoWeek): Promise<WeekJudged> {
  const rules = loadRules();
  const at = (asOf: string) => runRules(conn, rules, { config, asOf, asRequested: true, timeoutMs: config.rules.timeoutMs });
  const start = await at(new Date(Date.parse(week.start) - 1).toISOString());
  return { start, end: await at(week.asOf) };
}

/**
 * Whether the week's numbers can be trusted, by event time: the feeds DQ-STALE-FEED finds stale
 * as of the week's end, the rules that failed when the week was judged, the schools DQ-UNKNOWN-SCHOOL
 * finds by the week's end (named in an event by then, not registered by then) with the day the
 * first event named each, and the messages rejected during the week: a rejected message's event
 * time cannot be read, so those are counted by when they were received (the wording says so).
 */
export async function weekQuality(conn: DuckDBConnection, week: IsoWeek, judged: WeekJudged): Promise<DataQuality> {
  const rejected = await rows(conn, SQL.quality_rejections, { start: week.start, end: week.end });
  const found = (rule: string) => judged.end.violations.filter((v) => v.rule === rule);
  const failed = new Map<string, string>();
  for (const r of [...judged.start.runs, ...judged.end.runs]) if (r.error !== undefined) failed.set(r.rule, r.error);
  const unknown = found('DQ-UNKNOWN-SCHOOL')
    .map((v) => ({ schoolId: v.school_id ?? '', firstSeen: v.period }))
    .sort((a, b) => cmp(a.firstSeen, b.firstSeen) || cmp(a.schoolId, b.schoolId));
  return {
    staleFeeds: found('DQ-STALE-FEED')
      .map((v) => ({ feed: v.subject ?? '', behind: v.observed ?? 0, unit: String(v.details.unit ?? '') }))
      .sort((a, b) => cmp(a.feed, b.feed)),
    failedRules: [...failed].map(([rule, error]) => ({ rule, error })).sort((a, b) => cmp(a.rule, b.rule)),
    rejections: rejected.map((r) => ({ reason: String(r.reason), count: Number(r.count) })),
    unknownSchools: unknown.length,
    unknownSchoolList: unknown,
  };
}

/**
 * The alerts of the week in `regions` (null: every region and the data-health alerts), by event
 * time: violations found at the week's end and not at its start (opened), at its start and not at
 * its end (resolved), and at its end (still open), by rule and region. Flaps and the oldest
 * unacknowledged alerts are the lifecycle's, by the clock: see weekDetected.
 */
export function weekAlerts(judged: WeekJudged, regions: readonly string[] | null): WeekAlerts {
  const inScope = (v: Violation) => regions === null || (v.region_code !== null && regions.includes(v.region_code));
  const start = new Map(judged.start.violations.filter(inScope).map((v) => [identityOf(v), v]));
  const end = new Map(judged.end.violations.filter(inScope).map((v) => [identityOf(v), v]));
  // A rule that failed at either end tells nothing of what changed: only its still-open count stands.
  const failed = new Set([...judged.start.runs, ...judged.end.runs].filter((r) => r.error !== undefined).map((r) => r.rule));
  const changed = (from: Map<string, Violation>, to: Map<string, Violation>) =>
    [...from].filter(([k, v]) => !to.has(k) && !failed.has(v.rule)).map(([, v]) => v);
  return {
    opened: countByRuleRegion(changed(end, start)),
    resolved: countByRuleRegion(changed(start, end)),
    stillOpen: countByRuleRegion([...end.values()]),
    flaps: [],
    oldestUnacked: [],
  };
}

/**
 * What the alert lifecycle did during the week by the clock (alert_transitions), in `regions` as
 * weekAlerts: the alerts first detected (opened or reopened) then, by rule and region; those that
 * reopened more than once; and the oldest open and unacknowledged at its end, with their age in
 * days. A digest built after a backfill shows none of them for the weeks the backfill covered.
 */
export async function weekDetected(conn: DuckDBConnection, week: IsoWeek, regions: readonly string[] | null): Promise<DetectedAlerts> {
  const params = { start: week.start, end: week.end, regions: regions === null ? null : regions.join(',') };
  const counts = await rows(conn, SQL.week_alert_counts, params);
  const flaps = await rows(conn, SQL.week_flaps, params);
  const oldest = await rows(conn, SQL.week_oldest_unacked, { end: week.end, regions: params.regions });
  const end = Date.parse(week.end);
  return {
    opened: counts
      .filter((r) => r.what === 'opened')
      .map((r) => ({ rule: String(r.rule), region: (r.region_code as string | null) ?? null, count: Number(r.n) })),
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

/** Violations counted by rule and region, in rule then region order (nulls first). */
function countByRuleRegion(vs: readonly Violation[]): AlertCount[] {
  const n = new Map<string, AlertCount>();
  for (const v of vs) {
    const k = `${v.rule}\u0000${v.region_code ?? ''}`;
    const c = n.get(k) ?? { rule: v.rule, region: v.region_code, count: 0 };
    c.count++;
    n.set(k, c);
  }
  return [...n.values()].sort((a, b) => cmp(a.rule, b.rule) || cmp(a.region ?? '', b.region ?? ''));
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * When rules are due, as pure functions of the configuration, the catalogue, the moment and the
 * moments each rule last ran (docs/rules.md cadence: season rules every 10 s inside the admission
 * season and hourly outside it; daily rules once a day from 02:00; all in Asia/Shanghai).
 * node-cron only ticks; these decide. Given the rules' effective moments (the earliest of the
 * wall clock and their feeds' watermarks), a daily rule is due when its effective moment has passed
 * a 02:00 boundary it has not judged at, and a rule whose feeds have nothing stored is not due: a
 * warehouse still filling is judged only as far as it is known.
 */
import type { Config } from '../core/config.ts';
import { shanghaiWall } from '../core/shanghai.ts';
import type { Rule } from './rules.ts';

/** How often the scheduler ticks by default, and so how often season rules run inside the season (rules.seasonTickSeconds). */
export const SEASON_INTERVAL_MS = 10_000;
/** The Shanghai hour from which daily rules are due. */
export const DAILY_HOUR = 2;

/** Shanghai wall-clock parts of a moment (UTC+8 all year, no daylight saving). */
function shanghai(at: Date): { date: string; monthDay: string; hour: number } {
  const iso = shanghaiWall(at).toISOString();
  return { date: iso.slice(0, 10), monthDay: iso.slice(5, 10), hour: Number(iso.slice(11, 13)) };
}

/** Whether `at` falls in the configured admission season (MM-DD bounds inclusive; a season may wrap the new year). */
export function isInSeason(rules: Pick<Config['rules'], 'seasonStart' | 'seasonEnd'>, at: Date): boolean {
  const md = shanghai(at).monthDay;
  return rules.seasonStart <= rules.seasonEnd ? md >= rules.seasonStart && md <= rules.seasonEnd : md >= rules.seasonStart || md <= rules.seasonEnd;
}

/** What the scheduler knows of each rule's data: its effective moment now, the latest moment it judged, and whether new events came. */
export interface Judged {
  /** By rule id: its effective moment (epoch ms) and its feeds with nothing stored (alerts/feedWatermarks.ts effectiveMoment). */
  moments: ReadonlyMap<string, { at: number; empty: readonly string[] }>;
  /** By rule id: the latest effective moment it was evaluated at (seeded from rule_runs.effective_as_of). */
  lastEffective: ReadonlyMap<string, Date>;
  /**
   * Ids of the rules whose feeds stored events since their last run: events that occurred before the
   * moment a rule last judged (a backfill, a correction later than the allowed lateness) change what
   * it concludes though its moment stays where it was.
   */
  fresh?: ReadonlySet<string>;
}

/** The latest 02:00 Asia/Shanghai at or before `at`. */
export function latestDailyBoundary(at: Date): Date {
  const s = shanghai(at);
  return new Date(Date.parse(`${s.date}T0${DAILY_HOUR}:00:00+08:00`) - (s.hour < DAILY_HOUR ? 86_400_000 : 0));
}

/**
 * The rules due at `now`, in catalogue order. `lastRuns` maps a rule id to the tick at which it
 * last ran. A season rule is due inside the season when it has not run in the last 10 s (one
 * second of slack for a late tick), outside when it has not run in the current Shanghai hour; a
 * daily rule is due from 02:00 when it has not run since that day's 02:00 (a service started later
 * in the day catches up once). With `judged`: a rule with a capped feed that has nothing stored is
 * never due, a daily rule is due when the latest 02:00 at or before its effective moment is later
 * than the moment it last judged (the wall clock no longer decides it), and a season rule keeps its
 * cadence but is not due while its effective moment has not passed the one it last judged. Either is
 * due too, at its cadence by the clock, when its feeds stored events since its last run (`fresh`).
 */
export function dueRules(
  catalogue: readonly Rule[],
  rules: Pick<Config['rules'], 'seasonStart' | 'seasonEnd'> & Partial<Pick<Config['rules'], 'seasonTickSeconds'>>,
  now: Date,
  lastRuns: ReadonlyMap<string, Date>,
  judged?: Judged,
): Rule[] {
  const inSeason = isInSeason(rules, now);
  const interval = rules.seasonTickSeconds === undefined ? SEASON_INTERVAL_MS : rules.seasonTickSeconds * 1000;
  const today = shanghai(now);
  const hourKey = (d: Date) => {
    const s = shanghai(d);
    return `${s.date}T${s.hour}`;
  };
  // The latest 02:00 Shanghai at or before now.
  const dailyFrom = Date.parse(`${today.date}T0${DAILY_HOUR}:00:00+08:00`) - (today.hour < DAILY_HOUR ? 86_400_000 : 0);
  return catalogue.filter((rule) => {
    const last = lastRuns.get(rule.id);
    if (judged) {
      const moment = judged.moments.get(rule.id);
      // Nothing stored of a feed it reads: nothing to judge (a data-health rule, uncapped, still runs).
      if (!moment || (rule.capped && moment.empty.length > 0)) return false;
      const judgedAt = judged.lastEffective.get(rule.id);
      const fresh = judged.fresh?.has(rule.id) ?? false;
      if (rule.cadence === 'daily')
        return !judgedAt || judgedAt.getTime() < latestDailyBoundary(new Date(moment.at)).getTime() || (fresh && (!last || last.getTime() < dailyFrom));
      // A season rule whose feeds have neither advanced nor stored anything since it last judged would conclude the same again.
      if (judgedAt && moment.at <= judgedAt.getTime() && !fresh) return false;
    }
    if (rule.cadence === 'daily') return !last || last.getTime() < dailyFrom;
    if (!last) return true;
    // A tick's worth less a tenth: a tick that fires a little early still runs them.
    return inSeason ? now.getTime() - last.getTime() >= interval * 0.9 : hourKey(last) !== hourKey(now);
  });
}

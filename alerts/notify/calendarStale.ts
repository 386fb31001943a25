/**
 * DQ-CALENDAR-STALE: the holiday calendar (alerts/notify/calendar.ts: the chinese-days package and
 * notify.calendarOverrides) does not cover the next CALENDAR_HORIZON_DAYS days, so a notice on a
 * lunar holiday of the uncovered year would not be held and a weekly digest could go out on one.
 * Raised by `edumon run` at start and daily (service/calendarJob.ts); resolved once the year is
 * covered (the package updated, or the year's State Council notice copied into calendarOverrides).
 * A data-health alert: it goes to the data team (alerts/notify/route.ts).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Config } from '../../core/config.ts';
import type { Violation } from '../../domain/violation.ts';
import { loadAlertStates, writeTransitions } from '../alertStore.ts';
import { type AlertTransition, evaluate, transitionsMade } from '../evaluate.ts';
import { CALENDAR_HORIZON_DAYS, CALENDAR_PACKAGE, type CalendarGap, calendarGap, FIXED_HOLIDAYS } from './calendar.ts';

export const CALENDAR_STALE = 'DQ-CALENDAR-STALE';
export const CALENDAR_STALE_SEVERITY = 'warning';
/** The configuration key an operator fills to cover a year: named in the alert, the log and `notify check`. */
export const CALENDAR_CONFIG_KEY = 'notify.calendarOverrides';

/**
 * The DQ-CALENDAR-STALE violation of a gap: period the first uncovered day (1 January of the
 * uncovered year: one alert per year), subject the config key to fill, observed the days until
 * that day (0 once it has come) against the horizon.
 */
export function calendarStaleViolation(gap: CalendarGap): Violation {
  return {
    rule: CALENDAR_STALE,
    school_id: null,
    region_code: null,
    period: gap.firstUncoveredDay,
    subject: CALENDAR_CONFIG_KEY,
    observed: gap.daysAhead,
    threshold: CALENDAR_HORIZON_DAYS,
    details: {
      first_uncovered_day: gap.firstUncoveredDay,
      config_key: CALENDAR_CONFIG_KEY,
      calendar: CALENDAR_PACKAGE,
      known_without_notice: [...new Set(FIXED_HOLIDAYS.map((h) => h.name))].join('、'),
    },
  };
}

/**
 * Checks the calendar as of `now` (epoch ms) inside the caller's transaction: a gap within the
 * horizon opens (or keeps, updating its days, or reopens) the alert of its first uncovered day and
 * resolves any other open one; no gap resolves them all. Returns the gap and the transitions made.
 */
export async function writeCalendarAlert(
  conn: DuckDBConnection,
  notify: Pick<Config['notify'], 'calendarOverrides'>,
  now: number,
): Promise<{ gap: CalendarGap | null; transitions: AlertTransition[] }> {
  const gap = calendarGap(now, notify.calendarOverrides);
  const states = await loadAlertStates(conn, CALENDAR_STALE);
  const at = new Date(now).toISOString();
  const transitions = evaluate(states, gap ? [calendarStaleViolation(gap)] : [], at);
  await writeTransitions(conn, CALENDAR_STALE_SEVERITY, transitions);
  return { gap, transitions: transitionsMade(states, transitions, CALENDAR_STALE_SEVERITY) };
}

/**
 * calendarOverrides that make the holiday calendar cover this year and the next (one entry dated
 * in a year covers it: alerts/notify/calendar.ts calendarCoversYear) without changing any day:
 * each is `workday` on a day that already is a plain workday. For tests of `edumon run` that are
 * not about the calendar, so DQ-CALENDAR-STALE (opened whenever the calendar runs out within 60
 * days, whatever the test) does not add a data-team email to what they count.
 */
import { type CalendarOverride, dayKind } from '../../alerts/notify/calendar.ts';

/** Overrides covering the Asia/Shanghai year of `now` (epoch ms) and the next, changing no day's kind. */
export function coveredCalendar(now = Date.now()): CalendarOverride[] {
  const year = new Date(now + 8 * 3_600_000).getUTCFullYear();
  return [year, year + 1].map((y) => {
    for (let d = 1; ; d++) {
      const date = `${y}-03-${String(d).padStart(2, '0')}`;
      if (dayKind(date) === 'workday') return { date, kind: 'workday' as const };
    }
  });
}

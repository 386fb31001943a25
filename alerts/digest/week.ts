/**
 * ISO 8601 weeks in Asia/Shanghai (UTC+8 all year since 1991, so arithmetic, whatever the host's
 * TZ): a week runs from Monday 00:00 Shanghai to the next Monday 00:00, and belongs to the ISO year
 * of its Thursday. Pure: no clock, no I/O.
 */
import { UsageError } from '../../core/errors.ts';
import { fromShanghaiWall, shanghaiWall } from '../../core/shanghai.ts';
import type { IsoWeek } from './model.ts';

const DAY = 86_400_000;
const LABEL = /^(\d{4})-W(\d{2})$/;

/** ISO weekday of a UTC midnight: Monday 1 ... Sunday 7. */
const isoDay = (utcMidnight: number) => ((new Date(utcMidnight).getUTCDay() + 6) % 7) + 1;

/** Monday of ISO week 1 of `year`, as the UTC midnight of that calendar date: the week holding 4 January. */
function week1Monday(year: number): number {
  const jan4 = Date.UTC(year, 0, 4);
  return jan4 - (isoDay(jan4) - 1) * DAY;
}

/** How many ISO weeks `year` has: 53 when 28 December falls in week 53, else 52. */
export function weeksInYear(year: number): number {
  return Math.round((week1Monday(year + 1) - week1Monday(year)) / (7 * DAY));
}

/** The IsoWeek of `year`-W`week` (checked by the callers). */
function makeWeek(year: number, week: number): IsoWeek {
  const mondayDate = week1Monday(year) + (week - 1) * 7 * DAY;
  const start = fromShanghaiWall(mondayDate);
  const end = start + 7 * DAY;
  return {
    label: `${year}-W${String(week).padStart(2, '0')}`,
    year,
    week,
    start: new Date(start).toISOString(),
    end: new Date(end).toISOString(),
    asOf: new Date(end - 1).toISOString(),
  };
}

/**
 * The week a label such as `2025-W27` names. A label that is not `YYYY-Www`, or names a week its
 * year does not have (W00, W54, W53 of a 52-week year), is a UsageError naming it.
 */
export function parseIsoWeek(label: string): IsoWeek {
  const m = LABEL.exec(label.trim());
  const year = m ? Number(m[1]) : Number.NaN;
  const week = m ? Number(m[2]) : Number.NaN;
  if (!m || year < 1992 || week < 1 || week > weeksInYear(year)) {
    const why = m && year >= 1992 ? `${year} has weeks W01 to W${weeksInYear(year)}` : 'expected YYYY-Www, e.g. 2025-W27';
    throw new UsageError(`week '${label}' is not an ISO week (${why})`);
  }
  return makeWeek(year, week);
}

/** The ISO week containing the moment `epochMs` (milliseconds since 1970, UTC) in Asia/Shanghai. */
export function weekOf(epochMs: number): IsoWeek {
  const local = shanghaiWall(epochMs).getTime();
  const date = Math.floor(local / DAY) * DAY;
  // The ISO year is the year of the week's Thursday.
  const thursday = date + (4 - isoDay(date)) * DAY;
  const year = new Date(thursday).getUTCFullYear();
  const week = Math.floor((thursday - week1Monday(year)) / (7 * DAY)) + 1;
  return makeWeek(year, week);
}

/** The week before `w` (2026-W01 -> 2025-W52). */
export function previousWeek(w: IsoWeek): IsoWeek {
  return weekOf(Date.parse(w.start) - 1);
}

/** The `n` weeks ending with `w`, oldest first (`w` last). */
export function lastWeeks(w: IsoWeek, n: number): IsoWeek[] {
  const out: IsoWeek[] = [];
  for (let cur = w, i = 0; i < n; i++, cur = previousWeek(cur)) out.unshift(cur);
  return out;
}

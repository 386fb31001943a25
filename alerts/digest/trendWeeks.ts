/**
 * The ISO week labels of a digest's trend, oldest first: the 8 weeks ending with the digest's own
 * (`2025-W20` … `2025-W27`), for the trend's column headers in the workbook and the note under the
 * figures table. Pure: computed from the week's Monday in Asia/Shanghai.
 */

import { shanghaiWall } from '../../core/shanghai.ts';
import type { IsoWeek } from './model.ts';

const DAY = 86_400_000;

/** The labels of the `n` weeks ending with `week` (inclusive), oldest first. */
export function trendWeeks(week: IsoWeek, n = 8): string[] {
  // The week's Monday as a Shanghai calendar date, at UTC midnight so day arithmetic is exact.
  const monday = Math.floor(shanghaiWall(week.start).getTime() / DAY) * DAY;
  return Array.from({ length: n }, (_, i) => isoWeekLabel(monday - (n - 1 - i) * 7 * DAY));
}

/** `2025-W27` for the Monday at UTC midnight `monday` (epoch ms). */
function isoWeekLabel(monday: number): string {
  // ISO 8601: a week belongs to the year of its Thursday, and week 1 holds the year's first Thursday.
  const thursday = new Date(monday + 3 * DAY);
  const year = thursday.getUTCFullYear();
  const dayOfYear = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / DAY);
  const week = Math.floor(dayOfYear / 7) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

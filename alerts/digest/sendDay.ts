/**
 * When the weekly digest goes out, as pure functions of the calendar: the digest of ISO week W
 * (its figures as of W's end) is sent at 08:00 Asia/Shanghai on the first working day of week W+1
 * (a Monday, unless the official calendar makes it a holiday; a 调休 make-up Saturday or Sunday
 * counts as a working day), or, if W+1 has none (a holiday week), on the first working day after.
 * When two weeks' send days fall together (after 春节), the latest week's digest is the one due:
 * its 8-week trend shows the week before.
 */

import { shanghaiDate } from '../../core/shanghai.ts';
import { type CalendarOverride, dayKind } from '../notify/calendar.ts';
import type { IsoWeek } from './model.ts';
import { previousWeek, weekOf } from './week.ts';

const DAY = 86_400_000;
/** The Shanghai hour digests are sent at. */
export const DIGEST_HOUR = 8;

/** The moment (epoch ms) the digest of `week` is due: 08:00 Asia/Shanghai on the first working day from the next week's Monday on. */
export function digestSendAt(week: IsoWeek, overrides: readonly CalendarOverride[] = []): number {
  const monday = Date.parse(week.end);
  for (let d = 0; d < 31; d++) {
    const day = monday + d * DAY;
    const kind = dayKind(shanghaiDate(day), overrides);
    if (kind === 'workday' || kind === 'makeup-workday') return day + DIGEST_HOUR * 3_600_000;
  }
  // No working day in a month (a calendar gone wrong): send on the Monday rather than never.
  return monday + DIGEST_HOUR * 3_600_000;
}

/** The latest week whose digest is due at `now` (epoch ms): last week's once its send moment has passed, else the week before. */
export function dueDigestWeek(now: number, overrides: readonly CalendarOverride[] = []): IsoWeek {
  let week = previousWeek(weekOf(now));
  while (digestSendAt(week, overrides) > now) week = previousWeek(week);
  return week;
}

/** The next moment a digest falls due after `now`: for a log line, and for tests. */
export function nextDigestAt(now: number, overrides: readonly CalendarOverride[] = []): number {
  const due = dueDigestWeek(now, overrides);
  return digestSendAt(weekOf(Date.parse(due.end)), overrides);
}

/**
 * The Chinese holiday calendar and the mute windows, for holding notices (pure: the clock is a
 * parameter). Days and wall-clock times are Asia/Shanghai (UTC+8, no daylight saving since 1991),
 * computed from epoch milliseconds alone, so a host in any TZ gets the same answers.
 *
 * The official holidays and 调休 make-up workdays are those of the maintained package
 * `chinese-days` (each year from the State Council's notice, 国务院办公厅关于部分节假日安排的通知,
 * e.g. https://www.gov.cn/zhengce/zhengceku/202511/content_7047091.htm for 2026), corrected by the
 * config's dated notify.calendarOverrides.
 *
 * Why its data file and not its functions (isHoliday, getDayDetail): in 1.5.7 they read dates
 * with the host's local clock, both when they build their tables at load time and when they look
 * a date up, so on a host west of UTC (America/New_York) 2026-02-23 is a workday and 2026-02-14 a
 * holiday; and under Node's ESM loader the package (CommonJS, minified) has no named exports. Its
 * README documents `dist/chinese-days.json` (dates as 'YYYY-MM-DD' keys) for use without JS: no
 * clock involved.
 *
 * Years the package has no data for (1.5.7: after 2026, before 2004) are plain weeks there:
 * Monday to Friday workdays, Saturday and Sunday weekends, except the statutory holidays whose
 * dates need no notice (FIXED_HOLIDAYS: 元旦 1 January, 劳动节 1–2 May, 国庆节 1–3 October), known for
 * any year from 2025 on; 春节, 清明节, 端午节 and 中秋节 follow the lunar calendar and every 调休 is
 * the notice's, so they are known only once the package is updated or calendarOverrides declares
 * them. `calendarGap` says when the calendar stops being covered, for `edumon notify check` and
 * DQ-CALENDAR-STALE (alerts/notify/calendarStale.ts).
 */
import data from 'chinese-days/dist/chinese-days.json' with { type: 'json' };
import pkg from 'chinese-days/package.json' with { type: 'json' };
import type { Config } from '../../core/config.ts';
import { minutesOfClock, muteWindowEnd } from '../../core/muteWindowEnd.ts';
import { fromShanghaiWall, shanghaiWall } from '../../core/shanghai.ts';

/** A day as the mute rules see it: a 调休 Saturday or Sunday is a `makeup-workday`, and not muted. */
export type DayKind = 'workday' | 'weekend' | 'holiday' | 'makeup-workday';

/** One dated correction of the calendar (notify.calendarOverrides). */
export type CalendarOverride = Config['notify']['calendarOverrides'][number];

/** A day, its kind, and the Chinese name of its holiday (for a make-up workday: the holiday it makes up for), else null. */
export interface DayInfo {
  date: string;
  kind: DayKind;
  name: string | null;
  /** Whether the kind comes from calendarOverrides rather than the package. */
  overridden: boolean;
}

/** A run of consecutive holiday days, first and last date inclusive, with the holidays' names (`国庆节、中秋节`). */
export interface HolidayPeriod {
  name: string;
  from: string;
  to: string;
  days: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const holidays = data.holidays as Record<string, string>;
const workdays = data.workdays as Record<string, string>;
/** The years the package lists any holiday or make-up workday for. */
const coveredYears = new Set([...Object.keys(holidays), ...Object.keys(workdays)].map((d) => Number(d.slice(0, 4))));

/** The holiday data's source, as an operator would update it: `chinese-days 1.5.7`. */
export const CALENDAR_PACKAGE = `${pkg.name} ${pkg.version}`;

/**
 * The statutory holidays on fixed Gregorian dates ('MM-DD' and name), from 《全国年节及纪念日放假办法》
 * article 2 as revised by 国务院令第795号 (2024-11-10, in force 2025-01-01): 新年 1 day (1月1日),
 * 劳动节 2 days (5月1日、2日), 国庆节 3 days (10月1日至3日). The others (春节, 清明节, 端午节, 中秋节)
 * follow the lunar calendar. Named as the package names them.
 */
export const FIXED_HOLIDAYS: ReadonlyArray<{ monthDay: string; name: string }> = [
  { monthDay: '01-01', name: '元旦' },
  { monthDay: '05-01', name: '劳动节' },
  { monthDay: '05-02', name: '劳动节' },
  { monthDay: '10-01', name: '国庆节' },
  { monthDay: '10-02', name: '国庆节' },
  { monthDay: '10-03', name: '国庆节' },
];
/** The first year FIXED_HOLIDAYS hold for (earlier revisions gave 劳动节 one day, before 2008 three). */
const FIXED_HOLIDAYS_FROM = 2025;
const fixedHoliday = new Map(FIXED_HOLIDAYS.map((h) => [h.monthDay, h.name]));

/** How far ahead the calendar must be covered: the State Council's notice for a year comes out in its November or December. */
export const CALENDAR_HORIZON_DAYS = 60;

/**
 * The package writes names as 'Spring Festival,春节,4' (English, Chinese, length); some Chinese
 * ones are shortened (清明, 端午, 中秋): shown as the State Council's notices name them.
 */
const OFFICIAL: Record<string, string> = { 清明: '清明节', 端午: '端午节', 中秋: '中秋节' };
function chineseName(entry: string): string {
  const zh = entry.split(',')[1]?.trim() || entry;
  return OFFICIAL[zh] ?? zh;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 of a 'YYYY-MM-DD' date; throws a RangeError for anything else (2026-02-30 included). */
function dayNumber(date: string): number {
  const m = DATE.exec(date);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : Number.NaN;
  if (!m || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== date) throw new RangeError(`not a date (YYYY-MM-DD): '${date}'`);
  return ms / DAY;
}

const dateOf = (day: number): string => new Date(day * DAY).toISOString().slice(0, 10);
/** The Asia/Shanghai calendar day (days since 1970-01-01) a moment falls on. */
const shanghaiDay = (ms: number): number => Math.floor(shanghaiWall(ms).getTime() / DAY);
/** The moment an Asia/Shanghai day begins (its 00:00 +08:00), epoch ms. */
const startOfDay = (day: number): number => fromShanghaiWall(day * DAY);

/**
 * Whether a year's holidays are known: the package has data for it, or calendarOverrides lists a
 * day of it (the operator copied that year's State Council notice in). For other years only
 * FIXED_HOLIDAYS are holidays; every other day is a plain workday or weekend.
 */
export function calendarCoversYear(year: number, overrides: readonly CalendarOverride[] = []): boolean {
  return coveredYears.has(year) || overrides.some((o) => Number(o.date.slice(0, 4)) === year);
}

/** Where the holiday calendar stops being covered, as calendarGap finds it. */
export interface CalendarGap {
  /** The first day (YYYY-MM-DD, Asia/Shanghai) whose year is not covered: 1 January of that year, even if already past. */
  firstUncoveredDay: string;
  /** Days from today (Asia/Shanghai) to it; 0 once it has come. */
  daysAhead: number;
}

/**
 * The first uncovered day (calendarCoversYear, overrides applied) from the Asia/Shanghai day of
 * `now` (epoch ms) through `horizonDays` after it, or null when every day up to then is covered.
 * Before that day a notice on a lunar holiday (春节, say) would not be held.
 */
export function calendarGap(now: number, overrides: readonly CalendarOverride[] = [], horizonDays = CALENDAR_HORIZON_DAYS): CalendarGap | null {
  const today = shanghaiDay(now);
  const first = Number(dateOf(today).slice(0, 4));
  const last = Number(dateOf(today + horizonDays).slice(0, 4));
  for (let year = first; year <= last; year++) {
    if (calendarCoversYear(year, overrides)) continue;
    const day = `${year}-01-01`;
    return { firstUncoveredDay: day, daysAhead: Math.max(0, dayNumber(day) - today) };
  }
  return null;
}

/**
 * A day of the Chinese calendar, Asia/Shanghai: an override for its date first (the last one
 * listed wins; `workday` on a Saturday or Sunday is a make-up workday, on a weekday a plain one),
 * then the package's holidays and make-up workdays, then (in a year the package has no data for)
 * FIXED_HOLIDAYS, then the day of the week. A holiday that falls on a weekend is a holiday
 * (2026-02-15, a Sunday, is 春节). Throws a RangeError for a non-date.
 */
export function dayOf(date: string, overrides: readonly CalendarOverride[] = []): DayInfo {
  const day = dayNumber(date);
  // 1970-01-01 was a Thursday (4); 0 is Sunday, 6 Saturday.
  const weekend = [0, 6].includes((((day + 4) % 7) + 7) % 7);
  const override = overrides.findLast((o) => o.date === date);
  if (override) {
    if (override.kind === 'holiday') return { date, kind: 'holiday', name: override.name ?? '节假日', overridden: true };
    return { date, kind: weekend ? 'makeup-workday' : 'workday', name: weekend ? (override.name ?? null) : null, overridden: true };
  }
  const work = workdays[date];
  if (work !== undefined) return { date, kind: 'makeup-workday', name: chineseName(work), overridden: false };
  const off = holidays[date];
  if (off !== undefined) return { date, kind: 'holiday', name: chineseName(off), overridden: false };
  const year = Number(date.slice(0, 4));
  const fixed = year >= FIXED_HOLIDAYS_FROM && !coveredYears.has(year) ? fixedHoliday.get(date.slice(5)) : undefined;
  if (fixed !== undefined) return { date, kind: 'holiday', name: fixed, overridden: false };
  return { date, kind: weekend ? 'weekend' : 'workday', name: null, overridden: false };
}

/** The kind of a 'YYYY-MM-DD' day (see dayOf, which also gives the holiday's name). Throws a RangeError for a non-date. */
export function dayKind(date: string, overrides: readonly CalendarOverride[] = []): DayKind {
  return dayOf(date, overrides).kind;
}

/** The mute settings of the notify config. */
export type MuteSettings = Pick<Config['notify'], 'muteWindows' | 'muteHolidays' | 'calendarOverrides'>;

/** How a mute was decided: the moment it ends (epoch ms) and why, in Chinese (`静默时段 22:00–07:00；法定节假日：春节`, `法定节假日：国庆节、中秋节`). */
export interface Mute {
  until: number;
  reason: string;
}

/**
 * When the mute covering `now` ends, or null when notices may go out now. Muted are the moments
 * inside a mute window (Asia/Shanghai wall clock, `from` inclusive, `to` exclusive; from > to
 * wraps midnight) and, with muteHolidays, every moment of a holiday day (dayOf: the package's
 * official holidays and the overrides; not weekends, not 调休 make-up workdays). Causes chain: a
 * night window 22:00–07:00 ending on the first day of 春节 runs on to that holiday's end, a holiday
 * ending at midnight inside the night window runs on to 07:00. `reason` lists each cause met on
 * the way, in order, joined by '；' (a holiday's names gathered: `法定节假日：国庆节、中秋节`; one
 * from calendarOverrides as `节假日（配置）：name`). Throws if the mute never ends (windows covering the whole
 * day; notifyProblems in core/config.ts refuses such a config).
 */
export function muteUntil(now: number, settings: MuteSettings): Mute | null {
  // Reasons by label, in the order met; a holiday's names gather under one label (国庆节、中秋节).
  const reasons = new Map<string, string[]>();
  let t = now;
  // Each step passes at least one window end or one midnight, and a day with a moment unmuted
  // ends the chain: a year of steps without one means the windows leave no gap.
  for (let step = 0; step < 366 * (settings.muteWindows.length + 1) + 2; step++) {
    const causes = causesAt(t, settings);
    if (causes.length === 0) {
      if (t === now) return null;
      const reason = [...reasons].map(([label, names]) => (names.length ? `${label}：${names.join('、')}` : label)).join('；');
      return { until: t, reason };
    }
    for (const c of causes) {
      const names = reasons.get(c.label) ?? [];
      if (c.name !== null && !names.includes(c.name)) names.push(c.name);
      reasons.set(c.label, names);
    }
    t = Math.max(...causes.map((c) => c.end));
  }
  throw new Error(`notify.muteWindows leave no moment of the day unmuted: ${settings.muteWindows.map((w) => `${w.from}–${w.to}`).join(', ')}`);
}

/** What mutes moment t, each cause with the moment it stops (epoch ms, after t), its label and the holiday's name. */
function causesAt(t: number, settings: MuteSettings): Array<{ end: number; label: string; name: string | null }> {
  const day = shanghaiDay(t);
  const dayStart = startOfDay(day);
  const minute = (t - dayStart) / 60_000;
  const out: Array<{ end: number; label: string; name: string | null }> = [];
  for (const w of settings.muteWindows) {
    const end = muteWindowEnd({ from: minutesOfClock(w.from), to: minutesOfClock(w.to) }, minute);
    if (end !== null) out.push({ end: dayStart + end * 60_000, label: `静默时段 ${w.from}–${w.to}`, name: null });
  }
  if (settings.muteHolidays) {
    const d = dayOf(dateOf(day), settings.calendarOverrides);
    // A holiday declared in the config is not necessarily an official one: said so.
    if (d.kind === 'holiday') out.push({ end: startOfDay(day + 1), label: d.overridden ? '节假日（配置）' : '法定节假日', name: d.name });
  }
  return out;
}

/**
 * The next `count` holidays from the Asia/Shanghai day of `now` on (one in progress included),
 * each a run of consecutive holiday days (dayOf, overrides applied; one in progress from its
 * first day), looking at most `horizonDays` ahead. Fewer when the package has no data that far (calendarCoversYear): then only FIXED_HOLIDAYS and the overrides.
 */
export function upcomingHolidays(now: number, overrides: readonly CalendarOverride[] = [], count = 3, horizonDays = 731): HolidayPeriod[] {
  const out: Array<{ from: number; to: number; names: string[] }> = [];
  let first = shanghaiDay(now);
  // A holiday in progress is shown from its first day.
  while (dayOf(dateOf(first - 1), overrides).kind === 'holiday') first--;
  for (let day = first; day <= first + horizonDays; day++) {
    const d = dayOf(dateOf(day), overrides);
    if (d.kind !== 'holiday') {
      if (out.length === count) break;
      continue;
    }
    const name = d.name ?? '节假日';
    const last = out.at(-1);
    if (last && last.to === day - 1) {
      last.to = day;
      if (!last.names.includes(name)) last.names.push(name);
    } else if (out.length < count) out.push({ from: day, to: day, names: [name] });
    else break;
  }
  return out.map((r) => ({ name: r.names.join('、'), from: dateOf(r.from), to: dateOf(r.to), days: r.to - r.from + 1 }));
}

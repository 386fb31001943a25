/**
 * Time in the simulator: seconds since the epoch, always shown in Asia/Shanghai (UTC+8, no
 * daylight saving) as `YYYY-MM-DDTHH:MM:SS+08:00`, so that string order is time order.
 */
import { fromShanghaiWall, shanghaiWall } from '../core/shanghai.ts';

export const MINUTE = 60;
export const HOUR = 3600;
export const DAY = 86_400;

/** The moment of a wall-clock time in Asia/Shanghai. `month` is 1-12; overflowing days roll over. */
export function at(year: number, month: number, day: number, hh = 0, mm = 0, ss = 0): number {
  return fromShanghaiWall(Date.UTC(year, month - 1, day, hh, mm, ss)) / 1000;
}

const p2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/** `2025-07-02T09:13:00+08:00`. */
export function timestamp(s: number): string {
  const d = shanghaiWall(Math.floor(s) * 1000);
  return `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())}T${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}+08:00`;
}

/** The Asia/Shanghai calendar date of a moment, `YYYY-MM-DD`. */
export function localDate(s: number): string {
  return timestamp(s).slice(0, 10);
}

/** The Asia/Shanghai calendar fields of a moment. */
export function localParts(s: number): { year: number; month: number; day: number } {
  const d = shanghaiWall(Math.floor(s) * 1000);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** A month as one integer (year * 12 + month - 1), so months can be counted and compared. */
export type MonthIndex = number;
export const monthIndex = (year: number, month: number): MonthIndex => year * 12 + month - 1;
export const monthOf = (s: number): MonthIndex => {
  const p = localParts(s);
  return monthIndex(p.year, p.month);
};
export const yearOfMonth = (m: MonthIndex) => Math.floor(m / 12);
export const monthNumber = (m: MonthIndex) => (m % 12) + 1;
/** `YYYY-MM`. */
export const monthLabel = (m: MonthIndex) => `${yearOfMonth(m)}-${p2(monthNumber(m))}`;
/** First moment of a month in Asia/Shanghai. */
export const monthStart = (m: MonthIndex) => at(yearOfMonth(m), monthNumber(m), 1);

/** Parses `YYYY-MM-DD` strictly; null when it is not a real date. */
export function parseDate(text: string): { year: number; month: number; day: number } | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const back = localParts(at(year, month, day, 12));
  return back.year === year && back.month === month && back.day === day ? { year, month, day } : null;
}

/** The academic year (autumn intake year) a moment falls in: September starts a new one. */
export function academicYear(s: number): number {
  const p = localParts(s);
  return p.month >= 9 ? p.year : p.year - 1;
}

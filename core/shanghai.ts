/**
 * Times as people read and write them here: Asia/Shanghai, UTC+8 all year (no daylight saving
 * since 1991), whatever the host's TZ. One parser for every time a person types (--until, --at),
 * and one way to print a moment back.
 */
import { UsageError } from './errors.ts';

/** Asia/Shanghai's offset from UTC in milliseconds: +8 h all year (no daylight saving since 1991). */
export const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
const TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * The moment a person meant by `text`: ISO 8601 date or date-time, with `Z` or an offset; without
 * an offset the wall-clock time is Asia/Shanghai. Undefined when it is no such time (e.g. 02-30).
 */
export function parseShanghaiTime(text: string): Date | undefined {
  const m = TIME.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone] = m;
  const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Math.floor(Number(`0${frac || '.0'}`) * 1000));
  const back = new Date(wall);
  // Date.UTC rolls 02-30 over to 03-02, month 13 and 24:00 on: such a time was not a time.
  if (
    back.getUTCMonth() !== Number(mo) - 1 ||
    back.getUTCDate() !== Number(d) ||
    back.getUTCHours() !== Number(h) ||
    back.getUTCMinutes() !== Number(mi) ||
    back.getUTCSeconds() !== Number(s)
  )
    return undefined;
  return new Date(wall - offsetMs(zone));
}

/**
 * A moment (a Date, epoch ms or an ISO string with its offset) as Asia/Shanghai's wall clock: a
 * Date whose UTC fields (getUTCFullYear, toISOString) read Shanghai's date and time. For calendar
 * arithmetic only; never store or send it as a moment.
 */
export function shanghaiWall(moment: Date | number | string): Date {
  const ms = typeof moment === 'number' ? moment : typeof moment === 'string' ? Date.parse(moment) : moment.getTime();
  return new Date(ms + SHANGHAI_OFFSET_MS);
}

/** The moment (epoch ms) of a Shanghai wall-clock time written as UTC epoch ms (e.g. Date.UTC(2025, 6, 1)): shanghaiWall's inverse. */
export function fromShanghaiWall(wallMs: number): number {
  return wallMs - SHANGHAI_OFFSET_MS;
}

/** The Asia/Shanghai calendar date of a moment, `YYYY-MM-DD`. */
export function shanghaiDate(moment: Date | number | string): string {
  return shanghaiWall(moment).toISOString().slice(0, 10);
}

/** parseShanghaiTime for a command-line option: an unreadable time is a usage error (exit 2). */
export function timeOption(option: string, text: string): Date {
  const t = parseShanghaiTime(text);
  if (!t) {
    throw new UsageError(`${option} '${text}' is not a time (e.g. 2025-08-31T23:59:59+08:00; without an offset it is Asia/Shanghai)`);
  }
  return t;
}

/** A moment as `2025-07-10T09:00:00+08:00` (milliseconds shown only when there are any). */
export function formatShanghai(moment: Date | number | string): string {
  const ms = typeof moment === 'number' ? moment : typeof moment === 'string' ? Date.parse(moment) : moment.getTime();
  if (!Number.isFinite(ms)) return String(moment);
  const iso = shanghaiWall(ms).toISOString();
  const millis = iso.slice(19, 23);
  return `${iso.slice(0, 19)}${millis === '.000' ? '' : millis}+08:00`;
}

/**
 * A TIMESTAMPTZ as the DuckDB client renders it, in whatever zone ('2025-07-10 10:00:00+09',
 * '2025-07-10 01:00:00.5+00'), shown in Shanghai: '2025-07-10 09:00:00+08:00', sub-seconds kept.
 * Anything else (NULL, infinity, another type) is returned unchanged.
 */
export function shanghaiTime(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d+)?([+-]\d{2}(?::?\d{2}){0,2})$/.exec(v);
  if (!m) return v;
  const ms = Date.parse(`${m[1]}T${m[2]}Z`);
  if (Number.isNaN(ms)) return v;
  const shifted = new Date(ms - offsetMs(m[4]) + SHANGHAI_OFFSET_MS).toISOString();
  return `${shifted.slice(0, 10)} ${shifted.slice(11, 19)}${m[3] ?? ''}+08:00`;
}

/** '+09', '+0530', '-03:30', '+05:53:28' (LMT) or 'Z' as milliseconds east of UTC; none is Shanghai. */
function offsetMs(zone: string | undefined): number {
  if (zone === undefined) return SHANGHAI_OFFSET_MS;
  if (zone.toUpperCase() === 'Z') return 0;
  const digits = zone.slice(1).replace(/:/g, '');
  const seconds = Number(digits.slice(0, 2)) * 3600 + Number(digits.slice(2, 4) || '0') * 60 + Number(digits.slice(4, 6) || '0');
  return (zone[0] === '-' ? -1 : 1) * seconds * 1000;
}

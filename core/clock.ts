/**
 * The moment edumon takes as now: the wall clock, or in tests a controlled one
 * (failpoints.clock, EDUMON_FAILPOINT_CLOCK, refused unless EDUMON_ENV=test). What judges
 * against now reads it here: the rule sweeps and their notification rounds, when a batch of a feed
 * arrived (feed_progress.updated_at), and whether a feed has been quiet for its allowed lateness.
 */
import { readFileSync, statSync } from 'node:fs';
import { UsageError } from './errors.ts';
import { parseShanghaiTime } from './shanghai.ts';

/** Epoch milliseconds now. */
export type Clock = () => number;

export const wallClock: Clock = () => Date.now();

/** The form failpoints.clock takes: `at=<time>[,rate=<N>][,jumps=<file>]`. */
export const CLOCK_SPEC = /^at=([^,]+)(?:,rate=(\d+(?:\.\d+)?))?(?:,jumps=(.+))?$/;

/** How often (wall milliseconds) a clock with `jumps=` looks at its file. */
const JUMP_CHECK_MS = 100;

/**
 * The clock `spec` describes (undefined: the wall clock). `at=2025-10-10T12:00:00+08:00,rate=3600`
 * starts at that moment when this is called and runs `rate` times as fast as the wall clock (1 by
 * default), so a test can watch a day pass in 24 s. With `jumps=<file>`, writing a moment into that
 * file moves the clock forward to it (a moment not after the clock's is ignored: it never goes
 * back), from where it runs on at its rate: a running service lives through days in a moment, as
 * one test needs to see reminders and escalations come, or not. Throws UsageError for a time it
 * cannot read.
 */
export function clockOf(spec: string | undefined): Clock {
  if (!spec) return wallClock;
  const m = CLOCK_SPEC.exec(spec);
  const start = m ? parseShanghaiTime(m[1]!) : undefined;
  if (!m || !start) throw new UsageError(`failpoints.clock '${spec}': expected at=<time>[,rate=N][,jumps=<file>], e.g. at=2025-10-10T12:00:00+08:00,rate=3600`);
  const rate = Number(m[2] ?? 1);
  let from = start.getTime();
  let began = Date.now();
  const at = () => from + Math.round((Date.now() - began) * rate);
  const file = m[3];
  if (!file) return at;
  let checked = 0;
  let seen = '';
  return () => {
    const wall = Date.now();
    if (wall - checked >= JUMP_CHECK_MS) {
      checked = wall;
      const text = jumpFile(file);
      if (text !== seen) {
        seen = text;
        const to = text ? parseShanghaiTime(text) : undefined;
        if (to && to.getTime() > at()) {
          from = to.getTime();
          began = wall;
        }
      }
    }
    return at();
  };
}

/** What a jumps file says (trimmed), or '' while it does not exist. */
function jumpFile(file: string): string {
  try {
    return statSync(file).isFile() ? readFileSync(file, 'utf8').trim() : '';
  } catch {
    return '';
  }
}

/**
 * The moment edumon takes as now: the wall clock, or in tests a controlled one
 * (failpoints.clock, EDUMON_FAILPOINT_CLOCK, refused unless EDUMON_ENV=test). What judges
 * against now reads it here: the rule sweeps and their notification rounds, when a batch of a feed
 * arrived (feed_progress.updated_at), and whether a feed has been quiet for its allowed lateness.
 */
import { UsageError } from './errors.ts';
import { parseShanghaiTime } from './shanghai.ts';

/** Epoch milliseconds now. */
export type Clock = () => number;

export const wallClock: Clock = () => Date.now();

/** The form failpoints.clock takes: `at=<time>[,rate=<N>]`. */
export const CLOCK_SPEC = /^at=([^,]+)(?:,rate=(\d+(?:\.\d+)?))?$/;

/**
 * The clock `spec` describes (undefined: the wall clock). `at=2025-10-10T12:00:00+08:00,rate=3600`
 * starts at that moment when this is called and runs `rate` times as fast as the wall clock (1 by
 * default), so a test can watch a day pass in 24 s. Throws UsageError for a time it cannot read.
 */
export function clockOf(spec: string | undefined): Clock {
  if (!spec) return wallClock;
  const m = CLOCK_SPEC.exec(spec);
  const start = m ? parseShanghaiTime(m[1]!) : undefined;
  if (!m || !start) throw new UsageError(`failpoints.clock '${spec}': expected at=<time>[,rate=N], e.g. at=2025-10-10T12:00:00+08:00,rate=3600`);
  const rate = Number(m[2] ?? 1);
  const began = Date.now();
  return () => start.getTime() + Math.round((Date.now() - began) * rate);
}

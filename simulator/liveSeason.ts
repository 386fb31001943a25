/**
 * The admission season (rules.seasonStart/seasonEnd, MM-DD in Asia/Shanghai) for replaying a
 * simulated year live, as the live-replay test and `bench:rules-ingest --live` do: it covers
 * `now`, so season rules sweep every 10 s while the replay runs, and the simulated admissions
 * (defaultOptions.season), and nothing more. A season covering the whole year would say admissions
 * are expected from September to November too, when the simulated feed is rightly quiet: the
 * admission feed would then be stale and hold back every rule reading it.
 */
import { formatShanghai } from '../core/shanghai.ts';
import { defaultOptions } from './options.ts';

/** `{ seasonStart, seasonEnd }`: the simulated season if `now` is in it, else from `now`'s date to its end, over the new year. */
export function liveSeason(now: Date): { seasonStart: string; seasonEnd: string } {
  const { from, to } = defaultOptions.season;
  const today = formatShanghai(now).slice(5, 10);
  return today >= from && today <= to ? { seasonStart: from, seasonEnd: to } : { seasonStart: today, seasonEnd: to };
}

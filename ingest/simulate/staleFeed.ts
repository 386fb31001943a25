/**
 * DQ-STALE-FEED from the admission stream as written: a quiet spell of 30 minutes or more between
 * two consecutive admission-topic events that both fall inside the admission season of one year.
 */
import { at, DAY, localDate, localParts, MINUTE } from './time.ts';
import type { Truth } from './truth.ts';

export function staleFeedTracker(season: { from: string; to: string }, topic: string, truth: Truth): (occurredAt: string) => void {
  const [fm, fd] = season.from.split('-').map(Number) as [number, number];
  const [tm, td] = season.to.split('-').map(Number) as [number, number];
  const seasonYear = (t: number): number | null => {
    const y = localParts(t).year;
    return t >= at(y, fm, fd) && t <= at(y, tm, td) + DAY - 1 ? y : null;
  };
  let prev: number | null = null;
  return (occurredAt) => {
    const t = Date.parse(occurredAt) / 1000;
    if (prev !== null && t - prev >= 30 * MINUTE) {
      const y = seasonYear(prev);
      if (y !== null && seasonYear(t) === y) truth.add('DQ-STALE-FEED', null, null, localDate(prev + 30 * MINUTE), topic);
    }
    prev = t;
  };
}

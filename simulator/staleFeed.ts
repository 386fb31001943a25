/**
 * DQ-STALE-FEED of the admission stream as written: the admission feed is stale as of the span's
 * end when its last event is 30 minutes or more before it and both fall inside the admission
 * season of one year (a quiet spell that ended before then has resolved); its period is that year. The other feeds' quiet
 * bounds (payroll 35 days, funds 100) are never reached by the simulated calendar.
 */
import { at, DAY, localParts, MINUTE } from './time.ts';
import type { Truth } from './truth.ts';

/** Sees every admission event's occurred_at; `finish` adds the open quiet spell, if any, to the truth as of `asOf` (epoch seconds). */
export function staleFeedTracker(season: { from: string; to: string }, asOf: number, truth: Truth): { see: (occurredAt: string) => void; finish: () => void } {
  const [fm, fd] = season.from.split('-').map(Number) as [number, number];
  const [tm, td] = season.to.split('-').map(Number) as [number, number];
  const seasonYear = (t: number): number | null => {
    const y = localParts(t).year;
    return t >= at(y, fm, fd) && t <= at(y, tm, td) + DAY - 1 ? y : null;
  };
  let last: number | null = null;
  return {
    see(occurredAt) {
      const t = Date.parse(occurredAt) / 1000;
      if (t <= asOf && (last === null || t > last)) last = t;
    },
    finish() {
      if (last === null || asOf - last < 30 * MINUTE) return;
      const y = seasonYear(last);
      if (y !== null && seasonYear(asOf) === y) truth.add('DQ-STALE-FEED', null, null, String(y), 'admission');
    },
  };
}

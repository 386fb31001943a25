/** Which figures got worse this week: the digest's "worse this week" list (issue 13). */
import type { FigureDef, FigureValue, Worse } from './model.ts';

/** Float slack, so a drop of exactly the threshold (97.0 - 96.0) counts however the doubles round. */
const EPSILON = 1e-9;

/**
 * The figures of `values` that got worse this week, in their order, each once:
 * - `new-shortfall`: short of its target now (`met` false) though it met it a week earlier
 *   (`previousMet` true);
 * - `worse`: otherwise, moved the wrong way (against the def's `better`) by at least
 *   `thresholdPoints` (config `digest.worseThresholdPoints`: points for rates in %, the figure's
 *   own unit for the teacher ratio), or, for counts and yuan, by any amount (one more oversize
 *   class or unpaid month is worse).
 * A figure without a def, or without a change, can only be a new shortfall.
 */
export function worseThisWeek(values: readonly FigureValue[], defs: readonly FigureDef[], thresholdPoints: number): Worse[] {
  const byId = new Map(defs.map((d) => [d.id, d]));
  const out: Worse[] = [];
  for (const v of values) {
    if (v.met === false && v.previousMet === true) {
      out.push({ figure: v.figure, region: v.region, reason: 'new-shortfall', change: v.change });
      continue;
    }
    const def = byId.get(v.figure);
    if (!def || v.change === null) continue;
    const wrongWay = def.better === 'higher' ? -v.change : v.change;
    const counted = def.unit === 'count' || def.unit === 'yuan';
    if (counted ? wrongWay > 0 : wrongWay >= thresholdPoints - EPSILON && wrongWay > 0) {
      out.push({ figure: v.figure, region: v.region, reason: 'worse', change: v.change });
    }
  }
  return out;
}

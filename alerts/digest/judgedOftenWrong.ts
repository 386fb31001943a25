/**
 * The city's weekly digest's rules officials judged often wrong (issue 23): every rule's alerts
 * judged city-wide over the 28 days to the week's end (alerts/ruleQuality.ts), the rules below the
 * configured precision floor with enough judged alerts to say so.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Config } from '../../core/config.ts';
import type { Catalogue } from '../notify/notifyRound.ts';
import { ruleQuality } from '../ruleQuality.ts';
import type { IsoWeek, JudgedOftenWrong, JudgedRule } from './model.ts';

/** How many days, to the week's end, a rule's judged alerts are counted over: four ISO weeks. */
export const JUDGED_WINDOW_DAYS = 28;

/**
 * The rules whose precision as officials judged it ((confirmed + fixed) / judged, over every
 * region and the data-health alerts) fell below `digest.judgedPrecisionFloor` with at least
 * `digest.judgedMinimum` judged: alerts opened in the JUDGED_WINDOW_DAYS to the week's end,
 * acknowledged before it. As of the week's end, so the same whenever the digest is built; lowest
 * precision first, then most judged, then rule id. Reads only.
 */
export async function judgedOftenWrong(
  conn: DuckDBConnection,
  week: IsoWeek,
  digest: Pick<Config['digest'], 'judgedPrecisionFloor' | 'judgedMinimum'>,
  catalogue?: Catalogue,
): Promise<JudgedOftenWrong> {
  const until = new Date(week.end);
  const since = new Date(until.getTime() - JUDGED_WINDOW_DAYS * 86_400_000);
  const byRule = new Map<string, Omit<JudgedRule, 'precision'>>();
  for (const r of await ruleQuality(conn, { since, until, ...(catalogue ? { catalogue } : {}) })) {
    const sum = byRule.get(r.rule) ?? { rule: r.rule, judged: 0, confirmed: 0, fixed: 0, dataWrong: 0, falseAlarm: 0 };
    sum.judged += r.judged;
    sum.confirmed += r.confirmed;
    sum.fixed += r.fixed;
    sum.dataWrong += r.dataWrong;
    sum.falseAlarm += r.falseAlarm;
    byRule.set(r.rule, sum);
  }
  const rules = [...byRule.values()]
    .filter((r) => r.judged > 0 && r.judged >= digest.judgedMinimum)
    .map((r) => ({ ...r, precision: (r.confirmed + r.fixed) / r.judged }))
    .filter((r) => r.precision < digest.judgedPrecisionFloor)
    .sort((a, b) => a.precision - b.precision || b.judged - a.judged || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0));
  return {
    since: since.toISOString(),
    until: until.toISOString(),
    days: JUDGED_WINDOW_DAYS,
    floor: digest.judgedPrecisionFloor,
    minimum: digest.judgedMinimum,
    rules,
  };
}

/**
 * The weekly digest's figures (issue 13): every figure of model.ts for every region of
 * core/regions.ts and the city, as of a week's end, with the week before, the change and the 8
 * weeks' trend. The numbers come from sql/digest/figures.sql, which reads the same asof_* macros
 * the rules read (sql/views/), so a figure and its rule's alert never disagree.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Config } from '../../core/config.ts';
import { inTransaction } from '../../core/db.ts';
import { CITY_CODE, regions } from '../../core/regions.ts';
import { sqlStatements } from '../../core/sqlStatements.ts';
import { type RuleParam, ruleParams } from '../ruleParams.ts';
import { sqlParams } from '../rules.ts';
import { eventsBy, type FigureMoment, type FigureRow, keepMoments, keptMoments, momentKey, writable } from './figureCache.ts';
import { figureDefs } from './figureDefs.ts';
import { type FigureDef, type FigureId, type FigureValue, figureIds, type IsoWeek } from './model.ts';
import { lastWeeks } from './week.ts';

const SQL = sqlStatements('digest', ['figures']);

/** How many week-ends a trend shows; the last is the week itself, the one before it `previous`. */
export const TREND_WEEKS = 8;

/** Each figure's columns in figures.sql: its value, whether it met the target (absent: compared here), its moving target. */
const COLUMNS: Readonly<Record<FigureId, { value: string; met?: string; expected?: string; cityOnly?: boolean; period?: { year: string; quarters: string } }>> =
  {
    kgGer: { value: 'kg_ger', met: 'kg_ger_met' },
    kgPuhui: { value: 'kg_puhui', met: 'kg_puhui_met' },
    kgPublicShare: { value: 'kg_public_share', met: 'kg_public_share_met' },
    kgTeacherRatio: { value: 'kg_teacher_ratio', met: 'kg_teacher_ratio_met' },
    newPublicPlaces: { value: 'new_public_places', met: 'new_public_places_met', expected: 'new_public_places_expected', cityOnly: true },
    hsGer: { value: 'hs_ger', met: 'hs_ger_met' },
    hsFunds: { value: 'hs_funds', met: 'hs_funds_met', period: { year: 'hs_funds_fiscal_year', quarters: 'hs_funds_quarters' } },
    oversizeClasses: { value: 'oversize_classes' },
    oversizeSchools: { value: 'oversize_schools' },
    wageGapStaff: { value: 'wage_gap_staff' },
    wageGapMonths: { value: 'wage_gap_months' },
    wageGapYuan: { value: 'wage_gap_yuan' },
    insuranceGapStaff: { value: 'insurance_gap_staff' },
    insuranceGapMonths: { value: 'insurance_gap_months' },
    insuranceGapYuan: { value: 'insurance_gap_yuan' },
  };

/** One moment's figures.sql rows by region code. */
type Moment = Map<string, FigureRow>;

/** One figure of one region at one moment: its value and whether it met the target. */
interface Point {
  value: number | null;
  met: boolean | null;
  expected: number | null;
  period: FigureValue['period'];
}

/**
 * Every figure for every region (the city, 410800, first, then core/regions.ts's order) as of
 * `week.asOf`, with `previous` and `previousMet` as of the previous week's end, `change` = value -
 * previous (points for rates), `met` against the config's targets as the rules judge, and `trend`
 * the values at the last 8 week-ends, oldest first. newPublicPlaces is the city's only (the plan
 * sets no county share of its 10,000 places), with `expected` its straight-line target that week.
 * hsFunds, judged per year, is taken at the end of the last quarter ended (figures.sql hs_cutoff),
 * with `period` the fiscal year and quarters it covers: from January to March the year just
 * closed, against its whole floor.
 *
 * Figures are as of what the warehouse holds now: a week recomputed after late events that
 * occurred in it arrived includes them; events that occurred after its end never change it.
 * Each week-end is computed once (figures.sql) and kept (figureCache.ts) until a late event that
 * occurred by it is stored; the caller's connection must not be inside a transaction. With
 * `keep: false` nothing is written: kept week-ends are used, new ones computed and not kept (the
 * console's readers: a page view never writes the warehouse, nor races the digest job's writes).
 */
export async function digestFigures(conn: DuckDBConnection, week: IsoWeek, config: Config, opts: { keep?: boolean } = {}): Promise<FigureValue[]> {
  const moments = await figureMoments(conn, lastWeeks(week, TREND_WEEKS), config, opts.keep ?? true);
  const defs = new Map(figureDefs(config.rules).map((d) => [d.id, d]));
  const out: FigureValue[] = [];
  for (const figure of figureIds) {
    const cols = COLUMNS[figure];
    const def = defs.get(figure)!;
    for (const { code: region } of regions) {
      if (cols.cityOnly && region !== CITY_CODE) continue;
      const points = moments.map((m) => pointOf(m.get(region), cols, def));
      const now = points[points.length - 1]!;
      const before = points[points.length - 2] ?? { value: null, met: null, expected: null, period: null };
      const value: FigureValue = {
        figure,
        region,
        value: now.value,
        previous: before.value,
        change: now.value === null || before.value === null ? null : now.value - before.value,
        met: now.met,
        trend: points.map((p) => p.value),
        previousMet: before.met,
      };
      if (cols.expected) value.expected = now.expected;
      if (cols.period) value.period = now.period;
      out.push(value);
    }
  }
  return out;
}

/** A number from a JSON row (DuckDB gives doubles as numbers, big counts as strings), or null. */
function num(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : null;
}

function pointOf(row: FigureRow | undefined, cols: (typeof COLUMNS)[FigureId], def: FigureDef): Point {
  const value = row ? num(row[cols.value]) : null;
  const expected = row && cols.expected ? num(row[cols.expected]) : null;
  const year = row && cols.period ? num(row[cols.period.year]) : null;
  const quarters = row && cols.period ? num(row[cols.period.quarters]) : null;
  const period = year === null || quarters === null ? null : { fiscalYear: year, quarters };
  if (value === null) return { value, met: null, expected, period };
  if (cols.met) {
    const m = row?.[cols.met];
    return { value, met: typeof m === 'boolean' ? m : null, expected, period };
  }
  if (def.target === null) return { value, met: null, expected, period };
  return { value, met: def.better === 'higher' ? value >= def.target : value <= def.target, expected, period };
}

/**
 * figures.sql's rows for each of `weeks`' ends, by region code: the kept ones where they still
 * hold, the others computed. All are read inside one read-only transaction, so the 8 moments and
 * the event counts that vouch for kept ones see one snapshot; what was computed is kept afterwards
 * when asked to (`keep`) and the warehouse is writable.
 */
async function figureMoments(conn: DuckDBConnection, weeks: readonly IsoWeek[], config: Config, keep: boolean): Promise<Moment[]> {
  const used = [...sqlParams(SQL.figures)] as RuleParam[];
  const asOfs = weeks.map((w) => w.asOf);
  const out: Moment[] = [];
  const computed: FigureMoment[] = [];
  await inTransaction(
    conn,
    async () => {
      const events = await eventsBy(conn, asOfs);
      const kept = await keptMoments(conn, asOfs);
      for (const [i, asOf] of asOfs.entries()) {
        const all = ruleParams(config, asOf);
        const params = Object.fromEntries(used.map((p) => [p, all[p]]));
        const key = momentKey(SQL.figures, params);
        const old = kept.get(asOf);
        let rows: FigureRow[];
        if (old && old.key === key && old.events === events[i]) rows = old.rows;
        else {
          rows = (await conn.runAndReadAll(SQL.figures, params)).getRowObjectsJson() as FigureRow[];
          computed.push({ asOf, key, events: events[i]!, rows });
        }
        out.push(new Map(rows.map((r) => [String(r.region_code), r])));
      }
    },
    { readOnly: true },
  );
  if (keep && computed.length && (await writable(conn))) await keepMoments(conn, computed);
  return out;
}

/**
 * The weekly digest's figures on hand-made worlds stored through the real sink into an in-memory
 * warehouse: values computed by hand, the change since last week, the 8-week trend, a week
 * recomputed after late events, the wage and insurance gaps, and agreement with the rules.
 */
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { digestFigures } from '../../alerts/digest/figures.ts';
import type { FigureId, FigureValue } from '../../alerts/digest/model.ts';
import { parseIsoWeek } from '../../alerts/digest/week.ts';
import { loadConfig } from '../../core/config.ts';
import { connect } from '../../core/db.ts';
import { RuleWorld } from '../helpers/ruleWorld.ts';

const config = loadConfig({ env: {} });
const W = parseIsoWeek('2025-W27'); // 2025-06-30 .. 2025-07-06
const W1 = parseIsoWeek('2025-W28');
const K1 = '3441210001'; // public kindergarten, 修武县 410821
const K2 = '3441220001'; // private puhui kindergarten, 博爱县 410822
const H1 = '3441210002'; // public high school, 修武县

let open: Array<{ conn: DuckDBConnection; instance: DuckDBInstance }> = [];
afterEach(() => {
  for (const { conn, instance } of open) {
    conn.closeSync();
    instance.closeSync();
  }
  open = [];
});

async function warehouse(): Promise<DuckDBConnection> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await connect(instance);
  open.push({ conn, instance });
  return conn;
}

const pick = (values: FigureValue[], figure: FigureId, region: string) => {
  const found = values.filter((v) => v.figure === figure && v.region === region);
  if (found.length !== 1) throw new Error(`${found.length} values of ${figure} for ${region}`);
  return found[0]!;
};

const kid = (home: string) => ({ level: 'kindergarten' as const, home_region_code: home, year: 2024 });

/**
 * Two counties with 100 children aged 3-5 each. 修武 (410821): a public kindergarten (built 2023,
 * 200 places) with 97 children and 7 full-time teachers, a high school opened 2023 with one
 * grade-1 class of 56 and half its funds due by July. 博爱 (410822): a private puhui kindergarten
 * with 89 children, 2 more on 2025-06-10 (week 24), 5 more on 2025-07-02 (week 27): 96.
 */
function kindergartens(): RuleWorld {
  const w = new RuleWorld()
    .add('population.reported', '2025-01-01T00:00:00+08:00', { region_code: '410821', year: 2025, age_3_5: 100, age_15_17: 100 })
    .add('population.reported', '2025-01-01T00:00:00+08:00', { region_code: '410822', year: 2025, age_3_5: 100, age_15_17: 50 })
    .school(K1, { level: 'kindergarten', capacity: 200, built_year: 2023 })
    .school(K2, { level: 'kindergarten', ownership: 'private', puhui: true, region_code: '410822', capacity: 150, built_year: 2010 })
    .school(H1, { opened_year: 2023, built_year: 2023 })
    .students(K1, 97, { ...kid('410821'), class_id: 'a' })
    .students(K2, 89, { ...kid('410822'), class_id: 'a' })
    .students(K2, 2, { ...kid('410822'), class_id: 'b' }, '2025-06-10T09:00:00+08:00')
    .students(K2, 5, { ...kid('410822'), class_id: 'c' }, '2025-07-02T09:00:00+08:00')
    .students(H1, 56)
    .add('funds.disbursed', '2025-04-01T10:00:00+08:00', { school_id: H1, fiscal_year: 2025, fund_type: 'per_student_public_funds', amount_yuan: 14_000 });
  for (let i = 0; i < 7; i++) w.staff(`T${i}`, { school_id: K1 });
  return w;
}

describe('digestFigures', () => {
  it('computes every figure for every region and the city as of the week’s end, judged against the targets', async () => {
    const conn = await warehouse();
    await kindergartens().store(conn);
    const values = await digestFigures(conn, W, config);

    // 15 figures x 12 regions, but new public places for the city only.
    expect(values).toHaveLength(14 * 12 + 1);
    expect(values.filter((v) => v.figure === 'newPublicPlaces').map((v) => v.region)).toEqual(['410800']);
    expect(values[0]!.region).toBe('410800');

    expect(pick(values, 'kgGer', '410821')).toMatchObject({ value: 97, met: true });
    expect(pick(values, 'kgGer', '410822')).toMatchObject({ value: 96, met: false });
    expect(pick(values, 'kgGer', '410800')).toMatchObject({ value: 96.5, met: false }); // 193 / 200
    expect(pick(values, 'kgPuhui', '410822')).toMatchObject({ value: 100, met: true });
    expect(pick(values, 'kgPublicShare', '410822')).toMatchObject({ value: 0, met: false });
    expect(pick(values, 'kgPublicShare', '410800').value).toBeCloseTo((97 * 100) / 193, 9);
    expect(pick(values, 'kgTeacherRatio', '410821')).toMatchObject({ value: 97 / 7, met: true });
    expect(pick(values, 'kgTeacherRatio', '410822')).toMatchObject({ value: null, met: null }); // no public kindergarten
    expect(pick(values, 'hsGer', '410821')).toMatchObject({ value: 56, met: false });
    expect(pick(values, 'hsGer', '410800')).toMatchObject({ value: (56 * 100) / 150, met: false });
    // Two quarters ended by 2025-07-06: 1000 x 56 x 2/4 = 28,000 due, 14,000 disbursed.
    expect(pick(values, 'hsFunds', '410821')).toMatchObject({ value: 50, met: false });
    expect(pick(values, 'oversizeClasses', '410821')).toMatchObject({ value: 1, met: false });
    expect(pick(values, 'oversizeClasses', '410800')).toMatchObject({ value: 1, met: false });
    expect(pick(values, 'oversizeClasses', '410822')).toMatchObject({ value: 0, met: true });
    expect(pick(values, 'oversizeSchools', '410821')).toMatchObject({ value: 0, met: true });
    // A region with no report and no school: rates unknown, nothing counted.
    expect(pick(values, 'kgGer', '410883')).toMatchObject({ value: null, met: null, change: null });
    expect(pick(values, 'wageGapStaff', '410883')).toMatchObject({ value: 0, met: true });

    // 200 places built since 2022 against the straight line to 10,000 by 2025-12-31.
    const elapsed = (Date.UTC(2025, 6, 6) - Date.UTC(2022, 0, 1)) / 86_400_000;
    const total = (Date.UTC(2025, 11, 31) - Date.UTC(2022, 0, 1)) / 86_400_000;
    expect(pick(values, 'newPublicPlaces', '410800')).toMatchObject({ value: 200, met: false, expected: Math.round((10_000 * elapsed) / total) });
  });

  it('gives the change since last week and the 8 weeks’ trend, oldest first', async () => {
    const conn = await warehouse();
    await kindergartens().store(conn);
    const values = await digestFigures(conn, W, config);
    const ger = pick(values, 'kgGer', '410822');
    expect(ger).toMatchObject({ value: 96, previous: 91, met: false, previousMet: false });
    expect(ger.change).toBeCloseTo(5, 9); // five children enrolled in week 27: +5.0 points
    // Weeks 20..27: 91 from week 24 (2025-06-10), 96 from week 27.
    expect(ger.trend).toEqual([89, 89, 89, 89, 91, 91, 91, 96]);
    expect(pick(values, 'kgGer', '410821')).toMatchObject({ change: 0, trend: Array(8).fill(97) });
    expect(pick(values, 'kgGer', '410800').trend).toEqual([93, 93, 93, 93, 94, 94, 94, 96.5]);
  });

  it('recomputes a week with events that occurred in it but arrived late, and not with later ones', async () => {
    const conn = await warehouse();
    const world = kindergartens();
    await world.store(conn);
    const before = await digestFigures(conn, W, config);
    expect(pick(before, 'kgGer', '410821').value).toBe(97);
    expect(pick(await digestFigures(conn, W1, config), 'kgGer', '410822').value).toBe(96);

    // Stored after week 28's digest: one child enrolled in week 27, three in week 28.
    world.students(K1, 1, { ...kid('410821'), class_id: 'late' }, '2025-07-04T09:00:00+08:00');
    world.students(K2, 3, { ...kid('410822'), class_id: 'later' }, '2025-07-08T09:00:00+08:00');
    await world.store(conn);

    const again = await digestFigures(conn, W, config);
    expect(pick(again, 'kgGer', '410821')).toMatchObject({ value: 98, previous: 97, met: true });
    expect(pick(again, 'kgGer', '410822')).toMatchObject({ value: 96 }); // week 28's children are not week 27's
    expect(pick(again, 'kgGer', '410800').value).toBe(97); // (98 + 96) / 200
    const next = await digestFigures(conn, W1, config);
    expect(pick(next, 'kgGer', '410822')).toMatchObject({ value: 99, previous: 96, met: true, previousMet: false });
  });

  it('keeps each week-end once computed and recomputes only those a late event occurred by', async () => {
    const conn = await warehouse();
    const world = kindergartens();
    await world.store(conn);
    const kept = async () =>
      new Map(
        (await conn.runAndReadAll(`select strftime(as_of, '%Y-%m-%d') as d, computed_at::varchar as t from digest_figures`))
          .getRows()
          .map((r) => [String(r[0]), String(r[1])]),
      );
    await digestFigures(conn, W, config);
    const first = await kept();
    expect(first.size).toBe(8); // weeks 20..27
    await digestFigures(conn, W1, config);
    const second = await kept();
    expect(second.size).toBe(9); // week 28 added, weeks 21..27 reused as they were
    for (const [d, t] of first) expect(second.get(d)).toBe(t);

    // One child who enrolled on 2025-07-04 (week 27), stored late: weeks 27 and 28 change, not 21..26.
    world.students(K1, 1, { ...kid('410821'), class_id: 'late' }, '2025-07-04T09:00:00+08:00');
    await world.store(conn);
    const values = await digestFigures(conn, W1, config);
    const third = await kept();
    const changed = [...third].filter(([d, t]) => second.get(d) !== t).map(([d]) => d);
    expect(changed.sort()).toEqual(['2025-07-06', '2025-07-13']);
    expect(pick(values, 'kgGer', '410821')).toMatchObject({ value: 98, previous: 98 });

    // What was kept is what a computation from nothing gives.
    await conn.run('delete from digest_figures');
    expect(await digestFigures(conn, W1, config)).toEqual(values);
  });

  it('agrees with the rules that judge the same figures', async () => {
    const world = kindergartens();
    const conn = await warehouse();
    await world.store(conn);
    const values = await digestFigures(conn, W, config);
    const ger = await world.evaluate('KG-GER', W.asOf);
    expect(ger.map((v) => [v.region_code, v.observed]).sort()).toEqual(
      values
        .filter((v) => v.figure === 'kgGer' && v.met === false)
        .map((v) => [v.region, Math.round(v.value! * 100) / 100])
        .sort(),
    );
    const classes = await world.evaluate('ADM-CLASS-SIZE', W.asOf);
    expect(classes).toHaveLength(pick(values, 'oversizeClasses', '410800').value!);
    const places = await world.evaluate('KG-NEW-PUBLIC-PLACES', W.asOf);
    expect(places.map((v) => [v.observed, v.threshold])).toEqual([[200, pick(values, 'newPublicPlaces', '410800').expected]]);
  });
});

describe('digestFigures: wage and insurance gaps', () => {
  /**
   * Three teachers of one kindergarten at 6000 yuan a month from January 2025; each month's wage
   * and insurance paid on the 5th of the next (due the 10th), except: A's May wage and insurance
   * never paid, B's April wage paid 5000, C's March wage 5999.50 (within the 1-yuan tolerance),
   * C's February insurance never paid.
   */
  function payroll(): RuleWorld {
    const w = new RuleWorld().school(K1, { level: 'kindergarten' });
    for (const s of ['A', 'B', 'C']) w.staff(s, { school_id: K1 });
    for (const s of ['A', 'B', 'C']) {
      for (const m of [1, 2, 3, 4, 5]) {
        const period = `2025-0${m}`;
        const paidAt = `2025-0${m + 1}-05T10:00:00+08:00`;
        const wage = s === 'B' && m === 4 ? 5000 : s === 'C' && m === 3 ? 5999.5 : 6000;
        if (!(s === 'A' && m === 5)) w.add('wage.paid', paidAt, { school_id: K1, staff_id: s, period, amount_yuan: wage });
        if (!(s === 'A' && m === 5) && !(s === 'C' && m === 2))
          w.add('social_insurance.paid', paidAt, { school_id: K1, staff_id: s, period, amount_yuan: 1200 });
      }
    }
    return w;
  }

  it('counts staff, months and yuan unpaid per region and for the city, month by month as they fall due', async () => {
    const conn = await warehouse();
    await payroll().store(conn);
    const values = await digestFigures(conn, W, config);
    // As of 2025-07-06 January to May are due (May's on 10 June): A's May and B's April are wage gaps.
    for (const region of ['410821', '410800']) {
      expect(pick(values, 'wageGapStaff', region)).toMatchObject({ value: 2, met: false });
      expect(pick(values, 'wageGapMonths', region)).toMatchObject({ value: 2, met: false });
      expect(pick(values, 'wageGapYuan', region)).toMatchObject({ value: 7000, met: false });
      expect(pick(values, 'insuranceGapStaff', region)).toMatchObject({ value: 2, met: false });
      expect(pick(values, 'insuranceGapMonths', region)).toMatchObject({ value: 2, met: false });
      expect(pick(values, 'insuranceGapYuan', region)).toMatchObject({ value: 12_000, met: false });
    }
    expect(pick(values, 'wageGapStaff', '410822')).toMatchObject({ value: 0, met: true });
    // Weeks 20..27 end on 05-18 ... 07-06: May falls due on 10 June, inside week 24.
    expect(pick(values, 'wageGapMonths', '410821').trend).toEqual([1, 1, 1, 1, 2, 2, 2, 2]);
    expect(pick(values, 'wageGapYuan', '410821').trend).toEqual([1000, 1000, 1000, 1000, 7000, 7000, 7000, 7000]);
    expect(pick(values, 'insuranceGapMonths', '410821').trend).toEqual([1, 1, 1, 1, 2, 2, 2, 2]);
    expect(pick(values, 'wageGapYuan', '410821')).toMatchObject({ previous: 7000, change: 0, previousMet: false });
  });

  it('counts kindergarten staff only, whom the clause it quotes (学前 6) covers; the rules still report high-school and vocational staff', async () => {
    // A high-school teacher and a vocational-school teacher of the same county, never paid nor insured.
    const world = payroll().school(H1).school('3441210009', { level: 'vocational' });
    world.staff('D', { school_id: H1 }).staff('E', { school_id: '3441210009' });
    const conn = await warehouse();
    await world.store(conn);
    const values = await digestFigures(conn, W, config);
    // As without them: A and B (wages), A and C (insurance), all at the kindergarten.
    expect(pick(values, 'wageGapStaff', '410800')).toMatchObject({ value: 2, met: false });
    expect(pick(values, 'wageGapYuan', '410800').value).toBe(7000);
    expect(pick(values, 'insuranceGapStaff', '410800').value).toBe(2);
    expect(pick(values, 'insuranceGapMonths', '410800').value).toBe(2);
    const missing = await world.evaluate('WAGE-MISSING', W.asOf);
    expect(new Set(missing.map((v) => v.school_id))).toEqual(new Set([K1, H1, '3441210009']));
  });

  it('counts what the rules report', async () => {
    const world = payroll();
    const conn = await warehouse();
    await world.store(conn);
    const values = await digestFigures(conn, W, config);
    const missing = await world.evaluate('WAGE-MISSING', W.asOf);
    const short = await world.evaluate('WAGE-SHORT', W.asOf);
    const uninsured = await world.evaluate('INSURANCE-MISSING', W.asOf);
    expect(missing.length + short.length).toBe(pick(values, 'wageGapMonths', '410800').value);
    expect(uninsured.length).toBe(pick(values, 'insuranceGapMonths', '410800').value);
  });
});

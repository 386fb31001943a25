/**
 * The analysts' worked examples (sql/examples/*.sql), each run as an analyst runs it: through the
 * sandboxed read path (service/query.ts readQuery, on a read-only warehouse locked down as `edumon
 * query` locks it) over a simulated Jiaozuo year at scale 0.1 stored by the real decode,
 * pseudonymise and sink path (tools/storeSimulated.ts). Every answer is checked against values
 * computed independently from the simulator's own JSON Lines (tests/helpers/simulatedFacts.ts, and
 * the rule oracle of tests/helpers/simulatedViolations.ts), never from the warehouse. The files are
 * found on disk: a new example is run and its header checked without being listed here, and fails
 * until it has a check of its own below. Each example's time is printed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, openWarehouse } from '../../core/db.ts';
import { CITY_CODE, regionName } from '../../core/regions.ts';
import { readQuery } from '../../service/query.ts';
import { withWarehouse } from '../../service/withWarehouse.ts';
import { storeSimulated } from '../../tools/storeSimulated.ts';
import { type SimulatedFacts, simulatedFacts } from '../helpers/simulatedFacts.ts';
import { evaluateSimulated, type Finding } from '../helpers/simulatedViolations.ts';
import { type Example, examples, headerProblems } from '../helpers/sqlExamples.ts';
import { TEST_KEY } from '../helpers/testEnv.ts';

/** The moment the examples that need one are written for: the last second of the simulated year (truth.json's as_of). */
const AS_OF = '2025-12-31T23:59:59+08:00';
const YEAR = 2025;
const URBAN = new Set(['410802', '410803', '410804', '410811', '410871']);
const zone = (region: string) => (URBAN.has(region) ? 'urban' : region);

type Row = Record<string, unknown>;
interface Answer {
  rows: Row[];
  columns: string[];
  ms: number;
}
interface Oracle {
  facts: SimulatedFacts;
  findings: Finding[];
}

let dir: string;
let oracle: Oracle;
const answers = new Map<string, Answer | Error>();
const all = examples();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'edumon-sql-examples-'));
  const warehouse = join(dir, 'edumon.duckdb');
  const instance = await openWarehouse(warehouse);
  const conn = await connect(instance);
  try {
    await storeSimulated(conn, dir, { scale: 0.1, pseudonymKey: TEST_KEY });
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
  // As `edumon query` opens a stopped warehouse: read-only, this edumon's views, locked down.
  await withWarehouse(warehouse, { write: false, sandbox: { memoryLimit: '256MB' } }, async (c) => {
    for (const ex of all) {
      const began = performance.now();
      try {
        const r = await readQuery(c, ex.sql, { maxRows: 100_000, timeoutMs: 30_000 });
        const rows = r.rows.map((values) => Object.fromEntries(r.columns.map((col, i) => [col, values[i]])));
        answers.set(ex.file, { rows, columns: r.columns, ms: performance.now() - began });
      } catch (err) {
        answers.set(ex.file, err as Error);
      }
    }
  });
  oracle = {
    facts: simulatedFacts(dir, Date.parse(AS_OF)),
    findings: await evaluateSimulated(dir, { asOf: AS_OF, admissionTopic: 'edu.admission' }),
  };
  process.stdout.write(
    `sql/examples on the scale-0.1 year, through readQuery:\n${all
      .map((ex) => {
        const a = answers.get(ex.file);
        return `  ${ex.file}: ${a instanceof Error ? `failed: ${a.message}` : `${a!.ms.toFixed(0)} ms, ${a!.rows.length} rows`}`;
      })
      .join('\n')}\n`,
  );
}, 300_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The answer of an example, failing the test with the sandbox's reason if it was refused. */
function answerOf(ex: Example): Answer {
  const a = answers.get(ex.file);
  if (a instanceof Error) throw new Error(`${ex.file} failed through readQuery: ${a.message}`);
  return a!;
}

/** The named columns of each row, counts and yuan (DuckDB's BIGINT and DECIMAL come as text) made numbers; codes and ids stay text. */
function pick(rows: Row[], columns: string[]): Row[] {
  const numeric = (c: string, v: unknown) => typeof v === 'string' && !/(_code|_id)$/.test(c) && /^-?\d+(\.\d+)?$/.test(v);
  return rows.map((r) => Object.fromEntries(columns.map((c) => [c, numeric(c, r[c]) ? Number(r[c]) : r[c]])));
}

const byKey =
  (...keys: string[]) =>
  (a: Row, b: Row) => {
    for (const k of keys) {
      const [x, y] = [String(a[k]), String(b[k])];
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  };

/** The rows, reduced to the expected rows' columns, equal the expected ones, both in the order of `keys`. */
function expectRows(rows: Row[], want: Row[], ...keys: string[]) {
  expect(pick(rows, Object.keys(want[0] ?? {})).sort(byKey(...keys))).toEqual([...want].sort(byKey(...keys)));
}

/** A percentage as the examples round it (one decimal), compared within that rounding. */
function expectPercent(actual: unknown, numerator: number, denominator: number, what: string) {
  expect(Math.abs(Number(actual) - (100 * numerator) / denominator), what).toBeLessThanOrEqual(0.05 + 1e-9);
}

/**
 * A share of kindergarten children per region (the city last): the rows equal the expected ones,
 * some region misses the target (the simulator builds 武陟县 and 温县 short), and each percentage
 * is `part` per kg_children.
 */
function expectShares(rows: Row[], want: Row[], col: { meets: string; percent: string; part: string }) {
  expect(want.filter((w) => !w[col.meets]).length, 'regions the simulator built short of the target').toBeGreaterThan(0);
  expectRows(rows, want, 'region_code');
  for (const r of rows) expectPercent(r[col.percent], Number(r[col.part]), Number(r.kg_children), `${col.percent} of ${r.region_code}`);
  expect(rows.at(-1)?.region_code, 'the city last').toBe(CITY_CODE);
}

const activeKindergartens = (f: SimulatedFacts) => [...f.schools.values()].filter((s) => s.level === 'kindergarten' && s.status === 'active');

/**
 * Per region with a population report for the year and any active school with students (and the
 * city, their sums): kindergarten children, those in public ones and in public or puhui ones
 * (asof_region_indicators' definition, docs/SIMULATOR.md).
 */
function indicators(f: SimulatedFacts): Map<string, { kg: number; pub: number; puhui: number }> {
  const out = new Map<string, { kg: number; pub: number; puhui: number }>();
  for (const s of f.schools.values()) {
    const n = f.students.get(s.school_id) ?? 0;
    if (s.status !== 'active' || n === 0 || !f.population.has(`${s.region_code}/${YEAR}`)) continue;
    const r = out.get(s.region_code) ?? { kg: 0, pub: 0, puhui: 0 };
    if (s.level === 'kindergarten') {
      r.kg += n;
      if (s.ownership === 'public') r.pub += n;
      if (s.ownership === 'public' || s.puhui) r.puhui += n;
    }
    out.set(s.region_code, r);
  }
  const city = { kg: 0, pub: 0, puhui: 0 };
  for (const r of out.values()) {
    city.kg += r.kg;
    city.pub += r.pub;
    city.puhui += r.puhui;
  }
  out.set(CITY_CODE, city);
  return out;
}

/** Findings of one rule counted by a key. */
function countFindings(findings: Finding[], rule: string, key: (f: Finding) => string | null): Map<string, number> {
  const out = new Map<string, number>();
  for (const f of findings) if (f.rule === rule) out.set(String(key(f)), (out.get(String(key(f))) ?? 0) + 1);
  return out;
}

/**
 * Each example's independent check: what the simulator's files say the answer is, compared with
 * the rows. Each also asserts its expectation is not empty, so a check cannot pass on nothing.
 */
const checks: Record<string, (rows: Row[], o: Oracle) => void> = {
  '01_township_central_kindergartens.sql': (rows, { facts }) => {
    const want = [...facts.townships.values()]
      .map((t) => ({
        region_code: t.region_code,
        region_name: regionName(t.region_code),
        township_code: t.township_code,
        township_name: t.name,
        population: t.population,
        central_kindergartens: activeKindergartens(facts).filter((s) => s.ownership === 'public' && s.township_central && s.township_code === t.township_code)
          .length,
        required: t.population >= 30_000 ? 2 : 1,
      }))
      .filter((t) => t.central_kindergartens < t.required);
    expect(want.length, 'townships the simulator left short').toBeGreaterThan(0);
    expectRows(rows, want, 'township_code');
  },

  '02_cross_region_admissions_by_county.sql': (rows, { facts }) => {
    const groups = new Map<string, { region_code: string; year: number; net_admissions: number; cross_region: number; outside_zone: number }>();
    for (const a of facts.netAdmissions) {
      const school = facts.schools.get(a.school_id);
      if (!school) continue;
      const k = `${school.region_code}/${a.year}`;
      const g = groups.get(k) ?? { region_code: school.region_code, year: a.year, net_admissions: 0, cross_region: 0, outside_zone: 0 };
      g.net_admissions++;
      if (a.home_region_code !== school.region_code) g.cross_region++;
      if (zone(a.home_region_code) !== zone(school.region_code)) g.outside_zone++;
      groups.set(k, g);
    }
    const want = [...groups.values()].sort(byKey('region_code', 'year')).map((g, i, list) => {
      const prev = list[i - 1]?.region_code === g.region_code ? list[i - 1]!.cross_region : null;
      return { ...g, region_name: regionName(g.region_code), cross_region_previous_year: prev, change: prev === null ? null : g.cross_region - prev };
    });
    expect(
      want.reduce((n, g) => n + g.outside_zone, 0),
      'admissions from outside the zone the simulator injected',
    ).toBeGreaterThan(0);
    expectRows(rows, want, 'region_code', 'year');
    for (const r of rows) expectPercent(r.cross_region_pct, Number(r.cross_region), Number(r.net_admissions), `cross_region_pct of ${r.region_code}`);
  },

  '03_wage_gaps_by_county.sql': (rows, { findings }) => {
    const late = countFindings(findings, 'WAGE-LATE', (f) => f.region_code);
    const short = countFindings(findings, 'WAGE-SHORT', (f) => f.region_code);
    const missing = countFindings(findings, 'WAGE-MISSING', (f) => f.region_code);
    const want = [...new Set([...late.keys(), ...short.keys(), ...missing.keys()])].map((region_code) => {
      const [l, s, m] = [late.get(region_code) ?? 0, short.get(region_code) ?? 0, missing.get(region_code) ?? 0];
      return { region_code, region_name: regionName(region_code), paid_late: l, paid_short: s, not_paid: m, total: l + s + m };
    });
    expect(want.length, 'regions with wage gaps in the simulated year').toBeGreaterThan(0);
    expectRows(rows, want, 'region_code');
    const totals = rows.map((r) => Number(r.total));
    expect(totals, 'most gaps first').toEqual([...totals].sort((a, b) => b - a));
  },

  '04_puhui_coverage_by_county.sql': (rows, { facts }) => {
    const want = [...indicators(facts)].map(([region_code, i]) => ({
      region_code,
      region_name: regionName(region_code),
      kg_children: i.kg,
      puhui_children: i.puhui,
      meets_90_pct: i.puhui * 100 >= i.kg * 90,
    }));
    expectShares(rows, want, { meets: 'meets_90_pct', percent: 'coverage_pct', part: 'puhui_children' });
  },

  '05_public_kindergarten_share_by_county.sql': (rows, { facts }) => {
    const kgs = activeKindergartens(facts);
    const want = [...indicators(facts)].map(([region_code, i]) => {
      const here = region_code === CITY_CODE ? kgs : kgs.filter((s) => s.region_code === region_code);
      return {
        region_code,
        region_name: regionName(region_code),
        public_kindergartens: here.filter((s) => s.ownership === 'public').length,
        kindergartens: here.length,
        kg_children: i.kg,
        public_children: i.pub,
        meets_50_pct: i.pub * 100 >= i.kg * 50,
      };
    });
    expectShares(rows, want, { meets: 'meets_50_pct', percent: 'public_share_pct', part: 'public_children' });
  },

  '06_oversized_grade1_classes.sql': (rows, { facts }) => {
    const classes = new Map<string, { school_id: string; year: number; n: number }>();
    for (const e of facts.activeEnrollments) {
      const s = facts.schools.get(e.school_id);
      if (e.grade !== 1 || s?.level !== 'high_school' || s.status !== 'active') continue;
      const k = `${e.school_id}/${e.year}/${e.class_id}`;
      const c = classes.get(k) ?? { school_id: e.school_id, year: e.year, n: 0 };
      c.n++;
      classes.set(k, c);
    }
    const bySchoolYear = new Map<string, number[]>();
    for (const c of classes.values()) bySchoolYear.set(`${c.school_id}/${c.year}`, [...(bySchoolYear.get(`${c.school_id}/${c.year}`) ?? []), c.n]);
    const want = [...bySchoolYear]
      .map(([k, sizes]) => {
        const [school_id, year] = k.split('/') as [string, string];
        const over = sizes.filter((n) => n > 55);
        return {
          school_id,
          school_name: facts.schools.get(school_id)!.name,
          year: Number(year),
          grade1_classes: sizes.length,
          classes_over_55: over.length,
          students_in_them: over.reduce((a, b) => a + b, 0),
          largest_class: Math.max(...sizes),
        };
      })
      .filter((w) => w.classes_over_55 > 0);
    expect(want.length, 'high schools the simulator gave an oversized class').toBeGreaterThan(0);
    expectRows(rows, want, 'school_id', 'year');
  },

  '07_hs_public_funds_by_school.sql': (rows, { facts }) => {
    const want = [...facts.schools.values()]
      .filter((s) => s.level === 'high_school' && s.status === 'active' && (facts.students.get(s.school_id) ?? 0) > 0)
      .map((s) => {
        const students = facts.students.get(s.school_id)!;
        // At the year's end all four quarters have ended: the whole floor is due.
        const due = 1000 * students;
        const disbursed = facts.perStudentFunds.get(`${s.school_id}/${YEAR}`) ?? 0;
        return { school_id: s.school_id, students, due_yuan: due, disbursed_yuan: disbursed, shortfall_yuan: Math.max(due - disbursed, 0) };
      });
    expect(want.filter((w) => w.shortfall_yuan > 0).length, 'high schools the simulator funded short').toBeGreaterThan(0);
    expectRows(rows, want, 'school_id');
  },

  '08_admissions_outside_plan.sql': (rows, { facts }) => {
    const groups = new Map<string, { school_id: string; year: number; net_admissions: number; before_window: number; after_window: number }>();
    for (const a of facts.netAdmissions) {
      const k = `${a.school_id}/${a.year}`;
      const plan = facts.plans.get(k);
      const g = groups.get(k) ?? { school_id: a.school_id, year: a.year, net_admissions: 0, before_window: 0, after_window: 0 };
      g.net_admissions++;
      if (plan && a.at < plan.opens) g.before_window++;
      if (plan && a.at > plan.closes) g.after_window++;
      groups.set(k, g);
    }
    const want = [...groups.entries()]
      .map(([k, g]) => {
        const quota = facts.plans.get(k)?.plan_quota ?? null;
        return { ...g, plan_quota: quota, beyond_quota: quota === null ? 0 : Math.max(g.net_admissions - quota, 0) };
      })
      .filter((g) => g.plan_quota === null || g.beyond_quota > 0 || g.before_window > 0 || g.after_window > 0);
    for (const what of ['plan_quota', 'beyond_quota', 'before_window', 'after_window'] as const) {
      expect(
        want.filter((w) => (what === 'plan_quota' ? w.plan_quota === null : w[what] > 0)).length,
        `schools the simulator made admit ${what === 'plan_quota' ? 'without a plan' : what}`,
      ).toBeGreaterThan(0);
    }
    expectRows(rows, want, 'school_id', 'year');
  },

  '09_public_staff_at_private_schools.sql': (rows, { facts, findings }) => {
    const staff = new Map<string, Set<string>>();
    for (const f of findings) {
      if (f.rule !== 'STAFF-PUBLIC-AT-PRIVATE' || !f.school_id || !f.subject) continue;
      staff.set(f.school_id, (staff.get(f.school_id) ?? new Set()).add(f.subject));
    }
    const placed = new Map<string, number>();
    for (const v of facts.latestStaff) {
      if (v.active && v.employment === 'public_post' && v.school_id && facts.schools.get(v.school_id)?.ownership === 'private') {
        placed.set(v.school_id, (placed.get(v.school_id) ?? 0) + 1);
      }
    }
    const want = [...staff].map(([school_id, people]) => ({ school_id, placed_on_public_post: placed.get(school_id) ?? 0, staff: people.size }));
    expect(want.length, 'private schools the simulator gave public-post staff').toBeGreaterThan(0);
    expectRows(rows, want, 'school_id');
    for (const r of pick(rows, ['placed_on_public_post', 'paid_while_public_post_elsewhere', 'staff'])) {
      expect(Number(r.staff)).toBeGreaterThanOrEqual(Math.max(Number(r.placed_on_public_post), Number(r.paid_while_public_post_elsewhere)));
    }
  },

  '10_kindergarten_children_per_teacher.sql': (rows, { facts }) => {
    const teachers = new Map<string, number>();
    for (const v of facts.latestStaff) {
      if (v.active && v.role === 'full_time_teacher' && v.school_id) teachers.set(v.school_id, (teachers.get(v.school_id) ?? 0) + 1);
    }
    const kgs = activeKindergartens(facts);
    const regionsOf = [...new Set(kgs.map((s) => s.region_code)), CITY_CODE];
    const want = regionsOf.map((region_code) => {
      const here = region_code === CITY_CODE ? kgs : kgs.filter((s) => s.region_code === region_code);
      const count = (s: { school_id: string }) => ({ c: facts.students.get(s.school_id) ?? 0, t: teachers.get(s.school_id) ?? 0 });
      return {
        region_code,
        region_name: regionName(region_code),
        kindergartens: here.length,
        children: here.reduce((n, s) => n + count(s).c, 0),
        teachers: here.reduce((n, s) => n + count(s).t, 0),
        public_below_1_to_15: here.filter((s) => s.ownership === 'public' && count(s).t * 15 < count(s).c).length,
      };
    });
    expect(want.find((w) => w.region_code === CITY_CODE)!.public_below_1_to_15, 'public kindergartens the simulator left short of teachers').toBeGreaterThan(0);
    expectRows(rows, want, 'region_code');
    for (const r of rows) {
      expect(
        Math.abs(Number(r.children_per_teacher) - Number(r.children) / Number(r.teachers)),
        `children_per_teacher of ${r.region_code}`,
      ).toBeLessThanOrEqual(0.05 + 1e-9);
    }
  },
};

describe('the analysts’ worked examples, sql/examples/*.sql', () => {
  it('are ten or more, numbered 01, 02, ... without a gap', () => {
    expect(all.length).toBeGreaterThanOrEqual(10);
    expect(all.map((ex) => ex.file.slice(0, 2))).toEqual(all.map((_, i) => String(i + 1).padStart(2, '0')));
  });

  describe.each(all.map((ex) => [ex.file, ex] as const))('%s', (_file, ex) => {
    it('opens with its question in Chinese, then English, what it reads, what a row is and a caveat', () => {
      expect(headerProblems(ex)).toEqual([]);
    });

    it('runs through the sandboxed read path and names no person', () => {
      const { rows, columns } = answerOf(ex);
      expect(
        columns.filter((c) => /pseudonym|^(student|staff)_id$/i.test(c)),
        'columns naming a person',
      ).toEqual([]);
      // A pseudonym is 32 hex digits (ingest/pseudonymize.ts); no value of an answer may be one.
      const pseudonyms = rows.flatMap((r) => Object.values(r)).filter((v) => typeof v === 'string' && /^[0-9a-f]{32}$/.test(v));
      expect(pseudonyms.length, 'values that are pseudonyms').toBe(0);
    });

    it("answers what the simulator's own files say", () => {
      const check = checks[ex.file];
      expect(check, `an independent check of ${ex.file} in tests/integration/sqlExamples.test.ts (checks)`).toBeDefined();
      check!(answerOf(ex).rows, oracle);
    });
  });
});

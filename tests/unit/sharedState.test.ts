import { describe, expect, it } from 'vitest';
import { loadRules } from '../../alerts/rules.ts';
import { macroCalls, markedMacros, readShared, sharedCalls } from '../../alerts/sharedState.ts';

const rule = (id: string, sql: string) => ({ id, sql });

describe('shared as-of state of a rule sweep', () => {
  it('finds the macros sql/views marks @shared, and only those', () => {
    const marked = markedMacros([
      '-- @shared: once per sweep\ncreate or replace macro asof_a(t) as table select 1;\n',
      '-- a plain comment\ncreate or replace macro asof_b(t) as table select 1;\n',
      '-- @shared\n\ncreate or replace macro asof_c(t) as table select 1;\n',
    ]);
    expect([...marked]).toEqual(['asof_a']);
  });

  it('finds parameter-only calls, each text once, and ignores calls in comments or with literals', () => {
    const sql = `-- uses asof_x($as_of::timestamptz)
      select * from asof_schools($as_of::timestamptz) x join asof_schools($as_of::timestamptz) y using (school_id),
        asof_owed_months($as_of::timestamptz, $wage_due_day::integer), asof_pinned('2025-01-01'::timestamptz),
        asof_amount($limit::decimal(18, 2))`;
    expect(macroCalls(sql)).toEqual([
      { macro: 'asof_schools', call: 'asof_schools($as_of::timestamptz)' },
      { macro: 'asof_owed_months', call: 'asof_owed_months($as_of::timestamptz, $wage_due_day::integer)' },
      { macro: 'asof_amount', call: 'asof_amount($limit::decimal(18, 2))' },
    ]);
  });

  it('shares a marked call made with the same text by two or more rules, in order of first use', () => {
    const marked = new Set(['asof_schools', 'asof_students']);
    const rules = [
      rule('A', 'select * from asof_students($as_of::timestamptz), asof_staff($as_of::timestamptz)'),
      rule('B', 'select * from asof_schools($as_of::timestamptz), asof_staff($as_of::timestamptz)'),
      rule('C', 'select * from asof_schools($as_of::timestamptz), asof_students($as_of::timestamptz)'),
      rule('D', 'select * from asof_schools($other::timestamptz)'),
    ];
    const shared = sharedCalls(rules, marked);
    // asof_staff is not marked; asof_schools($other...) is used once.
    expect(shared.map((s) => [s.call, s.rules])).toEqual([
      ['asof_students($as_of::timestamptz)', ['A', 'C']],
      ['asof_schools($as_of::timestamptz)', ['B', 'C']],
    ]);
    expect(new Set(shared.map((s) => s.table)).size).toBe(2);
  });

  it('rewrites every use of a computed call to its table and leaves the rest alone', () => {
    const [schools] = sharedCalls(
      [rule('A', 'from asof_schools($as_of::timestamptz)'), rule('B', 'from asof_schools($as_of::timestamptz)')],
      new Set(['asof_schools']),
    );
    const sql =
      'select * from asof_schools($as_of::timestamptz) x join asof_schools($as_of::timestamptz) y using (id), my_asof_schools($as_of::timestamptz), asof_staff($as_of::timestamptz)';
    expect(readShared(sql, [schools!])).toBe(
      `select * from ${schools!.table} x join ${schools!.table} y using (id), my_asof_schools($as_of::timestamptz), asof_staff($as_of::timestamptz)`,
    );
  });

  it('shares the heavy as-of state of the real catalogue: students, indicators and pay gaps', () => {
    const shared = sharedCalls(loadRules(), markedMacros());
    const macros = Object.fromEntries(shared.map((s) => [s.macro, s.rules.length]));
    // ADM-SCHOOL-SIZE, HS-TEACHERS, KG-FACILITY, KG-TEACHER-RATIO; HS-FUNDS reads it inside asof_hs_funds, the one definition it shares with the digest.
    expect(macros.asof_school_students).toBeGreaterThanOrEqual(4);
    expect(macros.asof_region_indicators).toBe(4);
    expect(macros.asof_pay_gaps).toBe(3);
  });
});

import { describe, expect, it } from 'vitest';
import { holdBack, isStorm, stormBound, stormViolation } from '../../alerts/alertStorm.ts';
import type { Transition } from '../../alerts/evaluate.ts';
import { loadConfig } from '../../core/config.ts';
import { identityOf, type Violation } from '../../domain/violation.ts';

const AT = '2025-07-12T02:00:00.000Z';
const v = (subject: string, rule = 'WAGE-MISSING'): Violation => ({
  rule,
  school_id: '3441210001',
  region_code: '410821',
  period: '2025-06',
  subject,
  observed: null,
  threshold: null,
  details: {},
});
const opens = (n: number, prefix = 's'): Transition[] => Array.from({ length: n }, (_, i) => ({ kind: 'open', violation: v(`${prefix}${i}`), at: AT }));
const stillOpen = (n: number): Transition[] => Array.from({ length: n }, (_, i) => ({ kind: 'still_open', id: `a${i}`, violation: v(`old${i}`), at: AT }));
const defaults = stormBound(loadConfig({ env: {} }).rules);

describe('the storm bound', () => {
  it('lets 300 true cross-region admissions of a first sweep through by default', () => {
    expect(isStorm(300, 300, defaults)).toBe(false);
  });

  it('holds 300,000 WAGE-MISSING alerts for 26,000 staff by default', () => {
    expect(isStorm(300_000, 300_000, defaults)).toBe(true);
  });

  it('is a storm only over the bound by count and by share', () => {
    const bound = { maxOpens: 1000, maxShare: 0.5 };
    expect(isStorm(1000, 1000, bound)).toBe(false); // at the count: not over it
    expect(isStorm(1001, 1001, bound)).toBe(true);
    // Many new ones, but few beside what the rule already finds: a big rule's ordinary month.
    expect(isStorm(5000, 105_000, bound)).toBe(false);
    expect(isStorm(5000, 9000, bound)).toBe(true);
  });

  it('reads its bound from the config, EDUMON_RULES_STORM_MAX_OPENS and _SHARE', () => {
    expect(defaults).toEqual({ maxOpens: 1000, maxShare: 0.5 });
    const env = { EDUMON_RULES_STORM_MAX_OPENS: '20', EDUMON_RULES_STORM_MAX_SHARE: '0.25' };
    expect(stormBound(loadConfig({ env }).rules)).toEqual({ maxOpens: 20, maxShare: 0.25 });
    expect(() => loadConfig({ env: { EDUMON_RULES_STORM_MAX_SHARE: '1.5' } })).toThrow(/EDUMON_RULES_STORM_MAX_SHARE/);
    expect(() => loadConfig({ env: { EDUMON_RULES_STORM_MAX_OPENS: '-1' } })).toThrow(/EDUMON_RULES_STORM_MAX_OPENS/);
  });
});

describe('holding back a storm', () => {
  const bound = { maxOpens: 2, maxShare: 0.5 };

  it('passes a run under the bound unchanged and reports nothing', () => {
    const ts = [...opens(2), ...stillOpen(3)];
    expect(holdBack('WAGE-MISSING', ts, new Set(), bound)).toEqual({ pass: ts, hold: [] });
  });

  it('holds the new opens of a storm; seen-again and resolved alerts still pass', () => {
    const resolve: Transition = { kind: 'resolve', id: 'gone', at: AT };
    const valve = holdBack('WAGE-MISSING', [...opens(5), ...stillOpen(1), resolve], new Set(), bound);
    expect(valve.pass).toEqual([...stillOpen(1), resolve]);
    expect(valve.hold.map((h) => h.subject)).toEqual(['s0', 's1', 's2', 's3', 's4']);
    expect(valve.report).toEqual({ rule: 'WAGE-MISSING', held: 5, confirmed: 0, found: 6, share: 5 / 6 });
  });

  it('lets through what the previous run held and this one finds again; new ones beyond the bound are held again', () => {
    const held = new Set(opens(5).map((t) => identityOf((t as { violation: Violation }).violation)));
    const valve = holdBack('WAGE-MISSING', [...opens(5), ...opens(3, 'new')], held, { maxOpens: 2, maxShare: 0.3 });
    expect(valve.pass).toEqual(opens(5));
    expect(valve.hold.map((h) => h.subject)).toEqual(['new0', 'new1', 'new2']);
    expect(valve.report).toMatchObject({ held: 3, confirmed: 5, found: 8 });
  });

  it('reports a storm whose held alerts vanished: nothing held, nothing confirmed', () => {
    const held = new Set([identityOf(v('gone'))]);
    expect(holdBack('WAGE-MISSING', [], held, bound)).toEqual({
      pass: [],
      hold: [],
      report: { rule: 'WAGE-MISSING', held: 0, confirmed: 0, found: 0, share: 0 },
    });
  });

  it('names the rule and the count in DQ-ALERT-STORM: no region, the Shanghai date, the bound as threshold', () => {
    const report = { rule: 'WAGE-MISSING', held: 300_000, confirmed: 0, found: 300_000, share: 1 };
    expect(stormViolation(report, defaults, '2025-07-11T17:00:00.000Z')).toEqual({
      rule: 'DQ-ALERT-STORM',
      school_id: null,
      region_code: null,
      period: '2025-07-12',
      subject: 'WAGE-MISSING',
      observed: 300_000,
      threshold: 1000,
      details: { held: 300_000, found: 300_000, share: 1, max_opens: 1000, max_share: 0.5 },
    });
  });
});

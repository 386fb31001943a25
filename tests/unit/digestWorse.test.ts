import { describe, expect, it } from 'vitest';
import { figureDefs } from '../../alerts/digest/figureDefs.ts';
import { type FigureValue, figureIds } from '../../alerts/digest/model.ts';
import { worseThisWeek } from '../../alerts/digest/worseThisWeek.ts';
import { loadConfig } from '../../core/config.ts';

const rules = loadConfig({ env: {} }).rules;
const defs = figureDefs(rules);

function fv(figure: FigureValue['figure'], previous: number | null, value: number | null, met: boolean | null, previousMet: boolean | null): FigureValue {
  const change = value === null || previous === null ? null : value - previous;
  return { figure, region: '410821', value, previous, change, met, previousMet, trend: [previous, value] };
}

describe('figureDefs', () => {
  it('defines every figure once, in model order, with the config targets and the rules’ plan clauses', () => {
    expect(defs.map((d) => d.id)).toEqual([...figureIds]);
    const kgGer = defs.find((d) => d.id === 'kgGer')!;
    expect(kgGer).toMatchObject({ zh: '学前三年毛入园率', unit: '%', target: 97, better: 'higher' });
    expect(kgGer.source).toBe('学前 一：「到2025年，全市学前三年毛入园率达到97%以上」');
    expect(defs.find((d) => d.id === 'kgTeacherRatio')).toMatchObject({ unit: 'ratio', target: 15, better: 'lower' });
    expect(defs.find((d) => d.id === 'newPublicPlaces')).toMatchObject({ target: 10_000, better: 'higher' });
    expect(defs.find((d) => d.id === 'hsFunds')!.source).toMatch(/^县中 18：「/);
    expect(defs.find((d) => d.id === 'wageGapYuan')).toMatchObject({ unit: 'yuan', target: 0, better: 'lower' });
    expect(figureDefs({ ...rules, kgGerMinPercent: 98 }).find((d) => d.id === 'kgGer')!.target).toBe(98);
    for (const d of defs) expect(d.source).toMatch(/^(学前|县中) \S+：「/);
  });
});

describe('worseThisWeek', () => {
  it('reports a figure newly short of its target, even by a small move', () => {
    expect(worseThisWeek([fv('kgGer', 97, 96.9, false, true)], defs, 1)).toEqual([
      { figure: 'kgGer', region: '410821', reason: 'new-shortfall', change: expect.closeTo(-0.1, 9) },
    ]);
  });
  it('reports a rate that fell at least the threshold, and not one that fell less or rose', () => {
    expect(worseThisWeek([fv('hsGer', 90, 89, false, false)], defs, 1)).toEqual([{ figure: 'hsGer', region: '410821', reason: 'worse', change: -1 }]);
    expect(worseThisWeek([fv('hsGer', 90, 89.5, false, false)], defs, 1)).toEqual([]);
    expect(worseThisWeek([fv('hsGer', 90, 92, false, false)], defs, 1)).toEqual([]);
    expect(worseThisWeek([fv('hsGer', 90, 89.5, false, false)], defs, 0.5)).toHaveLength(1);
  });
  it('reads the right direction for a figure where lower is better', () => {
    expect(worseThisWeek([fv('kgTeacherRatio', 12, 13.5, true, true)], defs, 1)).toEqual([
      { figure: 'kgTeacherRatio', region: '410821', reason: 'worse', change: 1.5 },
    ]);
    expect(worseThisWeek([fv('kgTeacherRatio', 14, 16, false, true)], defs, 1)[0]!.reason).toBe('new-shortfall');
    expect(worseThisWeek([fv('kgTeacherRatio', 14, 12, true, true)], defs, 1)).toEqual([]);
  });
  it('reports any increase of a count that should be 0, whatever the threshold', () => {
    expect(worseThisWeek([fv('wageGapMonths', 3, 4, false, false)], defs, 5)).toEqual([
      { figure: 'wageGapMonths', region: '410821', reason: 'worse', change: 1 },
    ]);
    expect(worseThisWeek([fv('wageGapYuan', 0, 100, false, true)], defs, 5)[0]!.reason).toBe('new-shortfall');
    expect(worseThisWeek([fv('oversizeClasses', 2, 1, false, false)], defs, 1)).toEqual([]);
  });
  it('ignores figures without a change or a previous week', () => {
    expect(worseThisWeek([fv('kgGer', null, 50, false, null), fv('kgGer', 50, null, null, false)], defs, 1)).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { lastWeeks, parseIsoWeek, previousWeek, weekOf, weeksInYear } from '../../alerts/digest/week.ts';
import { UsageError } from '../../core/errors.ts';

describe('parseIsoWeek', () => {
  it('gives the week from Monday 00:00 to the next Monday 00:00 in Asia/Shanghai', () => {
    expect(parseIsoWeek('2025-W27')).toEqual({
      label: '2025-W27',
      year: 2025,
      week: 27,
      start: '2025-06-29T16:00:00.000Z', // Monday 2025-06-30 00:00 +08:00
      end: '2025-07-06T16:00:00.000Z', // Monday 2025-07-07 00:00 +08:00
      asOf: '2025-07-06T15:59:59.999Z', // Sunday 2025-07-06 23:59:59.999 +08:00
    });
  });
  it('starts 2025-W01 on Monday 2024-12-30', () => {
    expect(parseIsoWeek('2025-W01').start).toBe('2024-12-29T16:00:00.000Z');
    expect(parseIsoWeek('2021-W01').start).toBe('2021-01-03T16:00:00.000Z'); // 2021-01-04: 1 January was a Friday
  });
  it('knows which years have a W53', () => {
    expect(parseIsoWeek('2026-W53').start).toBe('2026-12-27T16:00:00.000Z'); // Monday 2026-12-28
    expect(parseIsoWeek('2020-W53').label).toBe('2020-W53');
    expect(weeksInYear(2025)).toBe(52);
    expect(weeksInYear(2026)).toBe(53);
    expect(() => parseIsoWeek('2025-W53')).toThrow(/week '2025-W53' is not an ISO week \(2025 has weeks W01 to W52\)/);
  });
  it('refuses a bad label, naming it', () => {
    for (const bad of ['2025-W54', '2025-W00', '2025W27', '2025-27', 'W27', '']) {
      expect(() => parseIsoWeek(bad)).toThrow(UsageError);
      expect(() => parseIsoWeek(bad)).toThrow(`'${bad}'`);
    }
  });
});

describe('weekOf', () => {
  it('finds the week of a moment in Asia/Shanghai, whatever the host zone', () => {
    // Sunday 2025-07-06 23:59 in Shanghai is Sunday 15:59 UTC: still W27.
    expect(weekOf(Date.parse('2025-07-06T23:59:59.999+08:00')).label).toBe('2025-W27');
    // Monday 2025-07-07 00:00 in Shanghai is still Sunday in UTC, but already W28 here.
    expect(weekOf(Date.parse('2025-07-07T00:00:00+08:00')).label).toBe('2025-W28');
    expect(weekOf(Date.parse('2025-07-06T16:00:00Z')).label).toBe('2025-W28');
    expect(weekOf(Date.parse('2025-06-30T00:00:00+08:00')).label).toBe('2025-W27');
  });
  it('puts the turn of the year in the ISO year of its Thursday', () => {
    expect(weekOf(Date.parse('2024-12-30T00:00:00+08:00')).label).toBe('2025-W01');
    expect(weekOf(Date.parse('2024-12-29T23:59:59+08:00')).label).toBe('2024-W52');
    expect(weekOf(Date.parse('2027-01-03T12:00:00+08:00')).label).toBe('2026-W53');
    expect(weekOf(Date.parse('2027-01-04T00:00:00+08:00')).label).toBe('2027-W01');
    expect(weekOf(Date.parse('2021-01-01T12:00:00+08:00')).label).toBe('2020-W53');
  });
  it('round-trips with parseIsoWeek for every week of several years', () => {
    for (let year = 2020; year <= 2028; year++) {
      for (let week = 1; week <= weeksInYear(year); week++) {
        const w = parseIsoWeek(`${year}-W${String(week).padStart(2, '0')}`);
        expect(weekOf(Date.parse(w.start))).toEqual(w);
        expect(weekOf(Date.parse(w.asOf))).toEqual(w);
      }
    }
  });
});

describe('previousWeek and lastWeeks', () => {
  it('steps back across year ends', () => {
    expect(previousWeek(parseIsoWeek('2025-W01')).label).toBe('2024-W52');
    expect(previousWeek(parseIsoWeek('2027-W01')).label).toBe('2026-W53');
    expect(previousWeek(parseIsoWeek('2025-W27')).label).toBe('2025-W26');
  });
  it('lists the last n weeks oldest first, ending with the week itself', () => {
    expect(lastWeeks(parseIsoWeek('2025-W03'), 8).map((w) => w.label)).toEqual([
      '2024-W48',
      '2024-W49',
      '2024-W50',
      '2024-W51',
      '2024-W52',
      '2025-W01',
      '2025-W02',
      '2025-W03',
    ]);
    expect(lastWeeks(parseIsoWeek('2025-W27'), 1).map((w) => w.label)).toEqual(['2025-W27']);
  });
});

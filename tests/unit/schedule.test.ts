/** The scheduling decision: season rules every 10 s in season and hourly outside, daily rules from 02:00 (Asia/Shanghai). */
import { describe, expect, it } from 'vitest';
import type { Rule } from '../../alerts/rules.ts';
import { dueRules, isInSeason } from '../../alerts/schedule.ts';

const season = { seasonStart: '06-15', seasonEnd: '08-31' };
const rule = (id: string, cadence: Rule['cadence']): Rule => ({
  id,
  title: id,
  severity: 'critical',
  cadence,
  params: [],
  policy: 'none: a test',
  detects: id,
  sql: '',
  file: `${id}.sql`,
});
const catalogue = [rule('ADM-OVER-QUOTA', 'season'), rule('WAGE-LATE', 'daily')];
const at = (s: string) => new Date(s);
const due = (now: string, last: Record<string, string>) =>
  dueRules(catalogue, season, at(now), new Map(Object.entries(last).map(([k, v]) => [k, at(v)]))).map((r) => r.id);

describe('isInSeason', () => {
  it('takes both bounds inclusive, in Shanghai dates', () => {
    expect(isInSeason(season, at('2025-06-15T00:00:00+08:00'))).toBe(true);
    expect(isInSeason(season, at('2025-06-14T23:59:59+08:00'))).toBe(false);
    expect(isInSeason(season, at('2025-08-31T23:59:59+08:00'))).toBe(true);
    // 31 August 16:30 UTC is already 1 September in Shanghai.
    expect(isInSeason(season, at('2025-08-31T16:30:00Z'))).toBe(false);
  });

  it('handles a season that wraps the new year', () => {
    const wrap = { seasonStart: '12-01', seasonEnd: '01-31' };
    expect(isInSeason(wrap, at('2025-12-20T12:00:00+08:00'))).toBe(true);
    expect(isInSeason(wrap, at('2026-01-10T12:00:00+08:00'))).toBe(true);
    expect(isInSeason(wrap, at('2026-02-01T12:00:00+08:00'))).toBe(false);
  });
});

describe('dueRules', () => {
  it('runs everything the first time', () => {
    expect(due('2025-07-12T10:00:00+08:00', {})).toEqual(['ADM-OVER-QUOTA', 'WAGE-LATE']);
  });

  it('runs season rules every 10 s inside the season', () => {
    const last = { 'ADM-OVER-QUOTA': '2025-07-12T10:00:00+08:00', 'WAGE-LATE': '2025-07-12T02:00:00+08:00' };
    expect(due('2025-07-12T10:00:05+08:00', last)).toEqual([]);
    expect(due('2025-07-12T10:00:10+08:00', last)).toEqual(['ADM-OVER-QUOTA']);
  });

  it('runs season rules once an hour outside the season', () => {
    const last = { 'ADM-OVER-QUOTA': '2025-10-12T10:00:00+08:00', 'WAGE-LATE': '2025-10-12T02:00:00+08:00' };
    expect(due('2025-10-12T10:59:50+08:00', last)).toEqual([]);
    expect(due('2025-10-12T11:00:00+08:00', last)).toEqual(['ADM-OVER-QUOTA']);
  });

  it('runs daily rules once a day from 02:00 Shanghai', () => {
    const last = { 'ADM-OVER-QUOTA': '2025-10-13T01:59:50+08:00', 'WAGE-LATE': '2025-10-12T02:00:00+08:00' };
    expect(due('2025-10-13T01:59:50+08:00', last)).toEqual([]);
    expect(due('2025-10-13T02:00:00+08:00', last)).toEqual(['ADM-OVER-QUOTA', 'WAGE-LATE']);
    expect(due('2025-10-13T02:00:10+08:00', { ...last, 'WAGE-LATE': '2025-10-13T02:00:00+08:00' })).toEqual(['ADM-OVER-QUOTA']);
  });
});

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
  feeds: ['registry'],
  capped: true,
  params: [],
  policy: 'none: a test',
  says: { measure: null, unit: null, comparison: null, subject: null },
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

  it('runs season rules every tick of rules.seasonTickSeconds when it is set (2 s here)', () => {
    const last = new Map([['ADM-OVER-QUOTA', at('2025-07-12T10:00:00+08:00')]]);
    const fast = { ...season, seasonTickSeconds: 2 };
    expect(dueRules(catalogue, fast, at('2025-07-12T10:00:01+08:00'), last).map((r) => r.id)).toEqual(['WAGE-LATE']);
    expect(dueRules(catalogue, fast, at('2025-07-12T10:00:02+08:00'), last).map((r) => r.id)).toEqual(['ADM-OVER-QUOTA', 'WAGE-LATE']);
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

describe('dueRules on effective moments', () => {
  const judged = (moments: Record<string, string | null>, lastEffective: Record<string, string>) => ({
    moments: new Map(Object.entries(moments).map(([id, m]) => [id, m === null ? { at: 0, empty: ['registry'] } : { at: Date.parse(m), empty: [] }])),
    lastEffective: new Map(Object.entries(lastEffective).map(([k, v]) => [k, at(v)])),
  });
  const dueJudged = (now: string, moments: Record<string, string | null>, lastEffective: Record<string, string> = {}) =>
    dueRules(catalogue, season, at(now), new Map(), judged(moments, lastEffective)).map((r) => r.id);

  it('runs no rule whose feeds have nothing stored', () => {
    expect(dueJudged('2025-10-13T10:00:00+08:00', { 'ADM-OVER-QUOTA': null, 'WAGE-LATE': null })).toEqual([]);
  });

  it('runs a daily rule when its effective moment passes a 02:00 it has not judged at, whatever the wall clock', () => {
    // The warehouse is filling: the feeds have reached 5 March; the wall clock is in October.
    const now = '2025-10-13T10:00:00+08:00';
    expect(dueJudged(now, { 'WAGE-LATE': '2025-03-05T12:00:00+08:00' })).toEqual(['WAGE-LATE']);
    expect(dueJudged(now, { 'WAGE-LATE': '2025-03-05T12:00:00+08:00' }, { 'WAGE-LATE': '2025-03-05T09:00:00+08:00' })).toEqual([]);
    expect(dueJudged(now, { 'WAGE-LATE': '2025-03-06T02:00:00+08:00' }, { 'WAGE-LATE': '2025-03-05T12:00:00+08:00' })).toEqual(['WAGE-LATE']);
  });

  it('runs a season rule at its cadence only when its feeds have advanced since it last judged', () => {
    const now = '2025-07-12T10:00:10+08:00';
    const ran = { 'ADM-OVER-QUOTA': '2025-07-12T09:50:00+08:00' };
    expect(dueJudged(now, { 'ADM-OVER-QUOTA': '2025-07-12T09:50:00+08:00' }, ran)).toEqual([]);
    expect(dueJudged(now, { 'ADM-OVER-QUOTA': '2025-07-12T09:50:05+08:00' }, ran)).toEqual(['ADM-OVER-QUOTA']);
  });

  it('runs a rule whose feeds stored events since its last run though its moment stayed, a daily one at most once a day', () => {
    // A cancellation that occurred before the moment the rule judged: the moment does not move, the answer may.
    const moments = { 'ADM-OVER-QUOTA': '2026-01-01T00:00:00+08:00', 'WAGE-LATE': '2025-11-10T23:59:59+08:00' };
    const ran = { 'ADM-OVER-QUOTA': '2026-01-01T00:00:00+08:00', 'WAGE-LATE': '2025-11-10T23:59:59+08:00' };
    const now = '2026-12-07T10:00:00+08:00';
    const fresh = (ids: string[], lastRuns: Record<string, string> = {}) =>
      dueRules(catalogue, season, at(now), new Map(Object.entries(lastRuns).map(([k, v]) => [k, at(v)])), {
        ...judged(moments, ran),
        fresh: new Set(ids),
      }).map((r) => r.id);
    expect(fresh([])).toEqual([]);
    expect(fresh(['ADM-OVER-QUOTA'])).toEqual(['ADM-OVER-QUOTA']);
    // A daily rule: once since the day's 02:00, not at every tick.
    expect(fresh(['WAGE-LATE'], { 'WAGE-LATE': '2026-12-07T01:00:00+08:00' })).toEqual(['WAGE-LATE']);
    expect(fresh(['WAGE-LATE'], { 'WAGE-LATE': '2026-12-07T02:30:00+08:00' })).toEqual([]);
  });
});

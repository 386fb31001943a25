/** One sweep of several rules: shared as-of state computed once, and recomputed after a failure. */
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { applyRules } from '../../alerts/applyRules.ts';
import { type FeedProgress, feedWatermarks, noWatermarks } from '../../alerts/feedWatermarks.ts';
import { type Rule, ruleById } from '../../alerts/rules.ts';
import { runRules, SweepStopped } from '../../alerts/runRules.ts';
import { loadConfig } from '../../core/config.ts';
import { connect } from '../../core/db.ts';
import { RuleWorld } from '../helpers/ruleWorld.ts';

const T = '2025-12-31T23:59:59+08:00';
const HS = '3441210001';
const OTHER = '3441210002';
const NET = 'asof_net_admissions($as_of::timestamptz)';

/** A plan of 2 with 3 admissions, one from another county, and one student also admitted at a second school. */
function world(): RuleWorld {
  const w = new RuleWorld().school(HS).school(OTHER).add('admission_plan.published', '2025-07-10T08:00:00+08:00', {
    school_id: HS,
    year: 2025,
    plan_quota: 2,
    window_opens_at: '2025-07-10T09:00:00+08:00',
    window_closes_at: '2025-07-20T18:00:00+08:00',
  });
  for (const [school_id, student, home] of [
    [HS, 'a', '410821'],
    [HS, 'b', '410821'],
    [HS, 'c', '410822'],
    [OTHER, 'a', '410821'],
  ] as const) {
    w.add('admission.admitted', '2025-07-12T10:00:00+08:00', { school_id, student_id: student, year: 2025, home_region_code: home, admission_type: 'unified' });
  }
  return w;
}

describe('a rule sweep', () => {
  const config = loadConfig({ env: {} });
  // The rules' SQL at T, whatever the feeds' watermarks (the sweep's mechanics are tested here).
  const watermarks = noWatermarks();

  it('computes shared state once, again after a failing rule, and finds what each rule finds alone', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await connect(instance);
    try {
      await world().store(conn);
      const [quota, cross, dup] = ['ADM-OVER-QUOTA', 'ADM-CROSS-REGION', 'ADM-DUPLICATE'].map(ruleById) as [Rule, Rule, Rule];
      // Reads the shared net admissions, then fails: the transaction is gone, and its temp tables with it.
      const broken: Rule = { ...ruleById('ADM-NO-PLAN'), sql: `select * from ${NET}, no_such_table` };

      const sweep = await runRules(conn, [quota, broken, cross, dup], { config, asOf: T, watermarks });
      expect(sweep.runs.map((r) => [r.rule, Boolean(r.error)])).toEqual([
        ['ADM-OVER-QUOTA', false],
        ['ADM-NO-PLAN', true],
        ['ADM-CROSS-REGION', false],
        ['ADM-DUPLICATE', false],
      ]);
      expect(sweep.runs[1]!.error).toMatch(/^sql\/rules\/ADM-NO-PLAN\.sql: .*no_such_table/);
      expect(sweep.shared.filter((s) => s.call === NET).map((s) => [s.rows, Boolean(s.error)])).toEqual([
        [4, false],
        [4, false],
      ]);

      const alone = [];
      for (const rule of [quota, cross, dup]) alone.push(...(await runRules(conn, [rule], { config, asOf: T, watermarks })).violations);
      expect(sweep.violations).toEqual(alone);
      expect(sweep.violations.map((v) => v.rule)).toEqual(['ADM-OVER-QUOTA', 'ADM-CROSS-REGION', 'ADM-DUPLICATE', 'ADM-DUPLICATE']);
      // Nothing of the sweep is left behind on the connection.
      const temp = await conn.runAndReadAll(`select count(*)::int as n from duckdb_tables() where temporary and table_name like 'sweep_%'`);
      expect(temp.getRowObjectsJson()).toEqual([{ n: 0 }]);
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });

  it("judges each rule as of its feeds' watermarks, and never shares state between rules judged at different moments", async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await connect(instance);
    try {
      await world().store(conn);
      // The admission feed has reported up to 12 July 10:00: with 10 minutes' allowed lateness (a
      // platform that batches), ADM-OVER-QUOTA judges as of 09:50, before the admissions; the same SQL
      // uncapped judges as of T.
      const uncapped: Rule = { ...ruleById('ADM-DUPLICATE'), capped: false };
      const late = { ...config, feeds: { ...config.feeds, admission: { allowedLatenessMinutes: 10 } } };
      const sweep = await runRules(conn, [ruleById('ADM-OVER-QUOTA'), uncapped], { config: late, asOf: T });
      expect(sweep.runs.map((r) => [r.rule, r.effectiveAsOf, r.heldBy])).toEqual([
        ['ADM-OVER-QUOTA', '2025-07-12T01:50:00Z', 'admission'],
        ['ADM-DUPLICATE', '2025-12-31T15:59:59Z', null],
      ]);
      expect(sweep.watermarks.admission).toBe('2025-07-12T01:50:00Z');
      expect(sweep.shared.filter((s) => s.call === NET)).toEqual([]);
      expect(sweep.violations.map((v) => v.rule)).toEqual(['ADM-DUPLICATE', 'ADM-DUPLICATE']);
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });

  it('judges the admission feed up to its latest admission to the millisecond, not cut to the second before it', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await connect(instance);
    try {
      // The last admission of a quiet spell, at .624 s: judged now, not when a later one comes.
      const w = new RuleWorld().school(HS, { region_code: '410825' });
      w.add('admission.admitted', '2025-07-12T10:00:00.624+08:00', {
        school_id: HS,
        student_id: 'late1',
        year: 2025,
        home_region_code: '410823',
        admission_type: 'unified',
      });
      await w.store(conn);
      const sweep = await runRules(conn, [ruleById('ADM-CROSS-REGION')], { config, asOf: '2025-07-12T10:00:05+08:00' });
      expect(sweep.runs.map((r) => [r.effectiveAsOf, r.heldBy])).toEqual([['2025-07-12T02:00:00.624Z', 'admission']]);
      expect(sweep.violations.map((v) => v.school_id)).toEqual([HS]);
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });

  it('never judges a rule earlier than it already has: a sparse partition caught lagging takes back no alert', async () => {
    // The live replay's failing input (bench:rules-ingest --live, 83 alerts opened and taken back a
    // sweep later): a registry partition whose own last event was days old had a message in flight,
    // so the registry was held at that event and ADM-CROSS-REGION judged days earlier than the sweep
    // before, resolving the alert it had opened; the next sweep opened it again.
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await connect(instance);
    try {
      await world().store(conn);
      const at = (iso: string) => Date.parse(iso);
      const progress = (feed: string, topic: string, partition: number, iso: string): FeedProgress => ({
        feed,
        topic,
        partition,
        maxOccurredAt: at(iso),
        arrivedAt: at(iso),
        maxPeriod: null,
      });
      const rows = [
        progress('admission', 'edu.admission', 0, '2025-07-12T12:00:00+08:00'),
        progress('registry', 'edu.registry', 0, '2025-07-12T11:00:00+08:00'),
        progress('registry', 'edu.registry', 2, '2025-07-05T09:00:00+08:00'),
      ];
      const caughtUp = feedWatermarks(rows, config, { lagging: new Set(), endsRead: true, now: 0 });
      const rule = ruleById('ADM-CROSS-REGION');
      const first = await applyRules(conn, [rule], { config, asOf: T, watermarks: caughtUp });
      expect(first.runs[0]!.effectiveAsOf).toBe('2025-07-12T04:00:00Z');
      expect(first.transitions.map((t) => [t.kind, t.alert.subject])).toEqual([['open', expect.any(String)]]);

      // Partition 2 of the registry now has a message not yet stored: the feed is held at its 5 July event.
      const fellBack = feedWatermarks(rows, config, { lagging: new Set(['edu.registry:2']), endsRead: true, now: 0 });
      const floors = new Map([[rule.id, Date.parse(first.runs[0]!.effectiveAsOf)]]);
      const again = await applyRules(conn, [rule], { config, asOf: T, watermarks: fellBack, notBefore: floors });
      expect(again.runs[0]!.effectiveAsOf).toBe('2025-07-12T04:00:00Z');
      expect(again.transitions).toEqual([]);
      // Without its floor the same sweep judges as of 5 July and takes the alert back.
      const unfloored = await applyRules(conn, [rule], { config, asOf: T, watermarks: fellBack, dryRun: true });
      expect(unfloored.runs[0]!.effectiveAsOf).toBe('2025-07-05T00:50:00Z');
      expect(unfloored.transitions.map((t) => t.kind)).toEqual(['resolve']);
      // A floor never carries a rule past the moment asked for.
      const earlier = await applyRules(conn, [rule], { config, asOf: '2025-07-08T00:00:00+08:00', watermarks: fellBack, notBefore: floors, dryRun: true });
      expect(earlier.runs[0]!.effectiveAsOf).toBe('2025-07-07T16:00:00Z');
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });

  it('stops at once when its signal aborts (shutdown): nothing reported or applied, the connection usable', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await connect(instance);
    try {
      await world().store(conn);
      const slow: Rule = { ...ruleById('ADM-DUPLICATE'), params: [], sql: 'select count(*) from range(10000000000) a' };
      const stop = new AbortController();
      setTimeout(() => stop.abort(), 300);
      const sweep = applyRules(conn, [ruleById('ADM-OVER-QUOTA'), slow, ruleById('ADM-CROSS-REGION')], { config, asOf: T, watermarks, signal: stop.signal });
      // range(1e10) alone runs for minutes, past this test's timeout: only the interrupt ends it.
      await expect(sweep).rejects.toBeInstanceOf(SweepStopped);
      const written = await conn.runAndReadAll(`select (select count(*) from alerts)::int as alerts, (select count(*) from rule_runs)::int as runs`);
      expect(written.getRowObjectsJson()).toEqual([{ alerts: 0, runs: 0 }]);
      const after = await runRules(conn, [ruleById('ADM-OVER-QUOTA')], { config, asOf: T, watermarks });
      expect(after.violations.map((v) => v.rule)).toEqual(['ADM-OVER-QUOTA']);
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  }, 60_000);

  it('takes a rule that finds 300,000 violations (a feed gone wrong) like any other', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await connect(instance);
    try {
      await world().store(conn);
      const flood: Rule = {
        ...ruleById('WAGE-MISSING'),
        params: [],
        sql: `select 'WAGE-MISSING' as rule, '${HS}' as school_id, '410821' as region_code, '2025-06' as period, 'staff-' || range as subject,
          0::double as observed, 6000::double as threshold, json_object('n', range) as details from range(300000)`,
      };
      const sweep = await runRules(conn, [flood, ruleById('ADM-OVER-QUOTA')], { config, asOf: T, watermarks });
      expect(sweep.runs.map((r) => [r.rule, r.rows, r.error ?? null])).toEqual([
        ['WAGE-MISSING', 300_000, null],
        ['ADM-OVER-QUOTA', 1, null],
      ]);
      expect(sweep.violations).toHaveLength(300_001);
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  }, 60_000);
});

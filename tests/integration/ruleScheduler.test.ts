/**
 * The scheduler inside the service, as a restart meets it: at its first tick it runs the season
 * rules and the daily rules not yet run today, read from rule_runs; the ones that ran today do
 * not run again. While ingestion is catching up a backlog, scheduled sweeps wait. A rule reading a
 * feed with nothing stored is not due (nothing is known of it): only DQ-STALE-FEED, which judges
 * the feeds themselves, runs on an empty warehouse. Season and daily rules sweep on connections of
 * their own and do not wait on each other.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { recordRun } from '../../alerts/alertStore.ts';
import { loadRules } from '../../alerts/rules.ts';
import { loadConfig } from '../../core/config.ts';
import { connect } from '../../core/db.ts';
import { createLogger } from '../../core/log.ts';
import { feeds } from '../../domain/topics.ts';
import { migrate } from '../../pipeline/migrate.ts';
import { startRuleSweeps } from '../../service/ruleSweeps.ts';

/** The scheduler's tick in these tests (rules.seasonTickSeconds; 10 s by default): what they wait for, ticks. */
const TICK_SECONDS = 2;

/**
 * Starts a scheduler on a fresh warehouse after `seed`, waits for its first sweep (ticks come every
 * TICK_SECONDS), returns the rules it ran. `ingestLag` is what the pipeline reports as its backlog.
 */
async function firstTick(seed: (conn: DuckDBConnection) => Promise<void>, ingestLag?: () => number): Promise<string[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await connect(instance);
  try {
    await migrate(conn);
    await seed(conn);
    const base = loadConfig({ env: {} });
    // All year is admission season: season rules are due at every tick, whatever today's date.
    const config = {
      ...base,
      rules: { ...base.rules, schedule: 'on' as const, seasonStart: '01-01', seasonEnd: '12-31', seasonTickSeconds: TICK_SECONDS },
    };
    const started = new Date().toISOString();
    const ranSinceStart = async () =>
      (await conn.runAndReadAll(`select distinct rule from rule_runs where started_at >= $1::timestamptz order by rule`, [started]))
        .getRows()
        .map((r) => String(r[0]));
    const scheduler = await startRuleSweeps({ conn, config, log: createLogger({ level: 'error' }), ...(ingestLag ? { ingestLag } : {}) });
    try {
      const deadline = Date.now() + 40_000;
      while ((await scheduler.exclusive(ranSinceStart)).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    } finally {
      await scheduler.stop();
    }
    return await ranSinceStart();
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** Every feed has stored events up to now (its progress, as the sink records it). */
async function fedUpToNow(conn: DuckDBConnection): Promise<void> {
  for (const feed of feeds)
    await conn.run(`insert into feed_progress (feed, topic, "partition", max_occurred_at, updated_at) values ($1, 'edu.test', 0, now(), now())`, [feed]);
}

it('runs every rule at the first tick, none but DQ-STALE-FEED on an empty warehouse, and after a restart not the daily rules that ran today', {
  timeout: 180_000,
}, async () => {
  const rules = loadRules();
  const ids = (cadence: string) =>
    rules
      .filter((r) => r.cadence === cadence)
      .map((r) => r.id)
      .sort();
  const [daily, season] = [ids('daily'), ids('season')];
  expect(daily.length && season.length).toBeGreaterThan(0);

  const [empty, fresh, restarted] = await Promise.all([
    firstTick(async () => undefined),
    firstTick(fedUpToNow),
    // The service ran every daily rule a second ago, then restarted.
    firstTick(async (conn) => {
      await fedUpToNow(conn);
      const at = new Date(Date.now() - 1000).toISOString();
      for (const rule of daily)
        await recordRun(conn, { rule, as_of: at, effective_as_of: at, started_at: at, duration_ms: 5, rows_found: 0, ok: true, error: null });
    }),
  ]);
  expect(empty).toEqual(rules.filter((r) => !r.capped).map((r) => r.id));
  expect(fresh).toEqual(rules.map((r) => r.id).sort());
  expect(restarted).toEqual(season);
});

it('holds scheduled sweeps while ingestion is catching up a backlog, and runs them once it has', { timeout: 180_000 }, async () => {
  let behind = 1_000_000;
  let heldThrough = 0;
  const started = Date.now();
  // Caught up after two ticks or more have come and gone.
  const catchUpMs = TICK_SECONDS * 2500;
  const ran = await firstTick(fedUpToNow, () => {
    if (Date.now() - started > catchUpMs) behind = 0;
    else heldThrough = Date.now() - started;
    return behind;
  });
  expect(heldThrough).toBeGreaterThan(0); // a tick asked while ingestion was behind
  // The first sweep came only after the backlog was gone, not at that tick.
  expect(Date.now() - started).toBeGreaterThan(catchUpMs);
  expect(ran).toEqual(
    loadRules()
      .map((r) => r.id)
      .sort(),
  );
});

describe('season and daily rules do not wait on each other', () => {
  /**
   * A service-like runner on a warehouse file: season rules on one connection, daily on another,
   * every daily sweep holding its write transaction open `delayMs` (the test failpoint) as a run
   * applying a great many alerts would. One open alert of each lane is seeded, for the first sweeps
   * to resolve: two transactions writing different rules' alerts at the same time.
   */
  async function lanes(delayMs: number) {
    const dir = mkdtempSync(join(tmpdir(), 'edumon-lanes-'));
    const instance = await DuckDBInstance.create(join(dir, 'warehouse.duckdb'));
    const [seasonConn, dailyConn, probe] = [await connect(instance), await connect(instance), await connect(instance)];
    await migrate(probe);
    for (const [id, rule] of [
      ['seeded-daily', 'WAGE-MISSING'],
      ['seeded-season', 'ADM-DUPLICATE'],
    ]) {
      await probe.run(
        `insert into alerts (id, rule, period, subject, severity, status, occurrence, opened_at, last_seen_at)
         values ($1, $2, '2025-06', 'seeded', 'critical', 'open', 1, now(), now())`,
        [id!, rule!],
      );
    }
    // Every feed reported a day ahead: nothing holds the rules back, so each lane's effective moment
    // is the wall clock and its rules are due at every tick of their cadence.
    for (const feed of feeds) {
      await probe.run(
        `insert into feed_progress (feed, topic, "partition", max_occurred_at, updated_at) values ($1, 'seeded', 0, now() + interval 1 day, now())`,
        [feed],
      );
    }
    const base = loadConfig({ env: { EDUMON_ENV: 'test', EDUMON_FAILPOINT_DAILY_SWEEP_DELAY: `ms=${delayMs}` } });
    const config = {
      ...base,
      rules: { ...base.rules, schedule: 'on' as const, seasonStart: '01-01', seasonEnd: '12-31', seasonTickSeconds: TICK_SECONDS },
    };
    const sweeps = await startRuleSweeps({ conn: seasonConn, dailyConn, config, log: createLogger({ level: 'error' }) });
    const read = async (sql: string) => (await probe.runAndReadAll(sql)).getRowObjectsJson();
    return {
      sweeps,
      read,
      /** Committed sweeps of a rule: the distinct moments it ran as of. */
      sweepsOf: async (rule: string) => Number((await read(`select count(distinct as_of) as n from rule_runs where rule = '${rule}'`))[0]!.n),
      async close() {
        await sweeps.stop();
        for (const c of [seasonConn, dailyConn, probe]) c.closeSync();
        instance.closeSync();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const until = async (what: string, cond: () => Promise<boolean>, ms: number) => {
    const deadline = Date.now() + ms;
    while (!(await cond())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  it('a daily sweep holding its transaction for five ticks delays no season tick, and both commit their alerts', { timeout: 180_000 }, async () => {
    const l = await lanes(TICK_SECONDS * 5000);
    try {
      const daily = loadRules().filter((r) => r.cadence === 'daily');
      await until('the daily sweep to commit', async () => (await l.sweepsOf('WAGE-MISSING')) > 0, 70_000);
      // Meanwhile the season lane ticked on, its transactions committing beside the open daily one.
      const seasonRuns = (await l.read(`select distinct as_of from rule_runs where rule = 'ADM-DUPLICATE' order by as_of`)).map((r) => String(r.as_of));
      const dailyAt = String((await l.read(`select min(as_of) as at from rule_runs where rule = 'WAGE-MISSING'`))[0]!.at);
      expect(seasonRuns.filter((at) => at > dailyAt).length).toBeGreaterThanOrEqual(2);
      // No conflict: every daily rule's run and both seeded alerts' resolutions were kept.
      const runs = await l.read(`select rule, ok, error from rule_runs where rule in (${daily.map((r) => `'${r.id}'`).join(', ')})`);
      expect(runs.filter((r) => !r.ok)).toEqual([]);
      expect(runs).toHaveLength(daily.length);
      expect(await l.read(`select id, status from alerts where id like 'seeded-%' order by id`)).toEqual([
        { id: 'seeded-daily', status: 'resolved' },
        { id: 'seeded-season', status: 'resolved' },
      ]);
    } finally {
      await l.close();
    }
  });

  it('stop interrupts a daily sweep in progress (rolled back) and waits for both lanes', { timeout: 180_000 }, async () => {
    const l = await lanes(600_000);
    try {
      await until('a season sweep', async () => (await l.sweepsOf('ADM-DUPLICATE')) > 0, 30_000);
      const started = Date.now();
      await l.sweeps.stop();
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(await l.sweepsOf('WAGE-MISSING')).toBe(0);
      expect((await l.read(`select status from alerts where id = 'seeded-daily'`))[0]).toEqual({ status: 'open' });
    } finally {
      await l.close();
    }
  });
});

/**
 * The scheduler inside the service, as a restart meets it: at its first tick it runs the season
 * rules and the daily rules not yet run today, read from rule_runs; the ones that ran today do
 * not run again. While ingestion is catching up a backlog, scheduled sweeps wait. A rule reading a
 * feed with nothing stored is not due (nothing is known of it): only DQ-STALE-FEED, which judges
 * the feeds themselves, runs on an empty warehouse.
 */
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { expect, it } from 'vitest';
import { recordRun } from '../../alerts/alertStore.ts';
import { loadRules } from '../../alerts/rules.ts';
import { feeds, loadConfig } from '../../core/config.ts';
import { connect } from '../../core/db.ts';
import { createLogger } from '../../core/log.ts';
import { migrate } from '../../pipeline/migrate.ts';
import { startRuleSweeps } from '../../service/ruleSweeps.ts';

/**
 * Starts a scheduler on a fresh warehouse after `seed`, waits for its first sweep (ticks come every
 * 10 s), returns the rules it ran. `ingestLag` is what the pipeline reports as its backlog.
 */
async function firstTick(seed: (conn: DuckDBConnection) => Promise<void>, ingestLag?: () => number): Promise<string[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await connect(instance);
  try {
    await migrate(conn);
    await seed(conn);
    const base = loadConfig({ env: {} });
    // All year is admission season: season rules are due at every tick, whatever today's date.
    const config = { ...base, rules: { ...base.rules, schedule: 'on' as const, seasonStart: '01-01', seasonEnd: '12-31' } };
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
  for (const feed of feeds) await conn.run(`insert into feed_progress values ($1, 'edu.test', 0, now(), now())`, [feed]);
}

it('runs every rule at the first tick, none but DQ-STALE-FEED on an empty warehouse, and after a restart not the daily rules that ran today', {
  timeout: 60_000,
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

it('holds scheduled sweeps while ingestion is catching up a backlog, and runs them once it has', { timeout: 60_000 }, async () => {
  let behind = 1_000_000;
  let heldThrough = 0;
  const started = Date.now();
  const ran = await firstTick(fedUpToNow, () => {
    // Caught up after a tick has come and gone (ticks are 10 s apart).
    if (Date.now() - started > 11_000) behind = 0;
    else heldThrough = Date.now() - started;
    return behind;
  });
  expect(heldThrough).toBeGreaterThan(0); // a tick asked while ingestion was behind
  // The first sweep came only after the backlog was gone, not at that tick.
  expect(Date.now() - started).toBeGreaterThan(11_000);
  expect(ran).toEqual(
    loadRules()
      .map((r) => r.id)
      .sort(),
  );
});

/** Alert state in a real warehouse: the lifecycle of docs/rules.md, applied run after run. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyTransitions, loadAlertStates } from '../../alerts/alertStore.ts';
import { alertIdOf, evaluate } from '../../alerts/evaluate.ts';
import { connect, openWarehouse } from '../../core/db.ts';
import type { Violation } from '../../domain/violation.ts';
import { migrate } from '../../pipeline/migrate.ts';

const over = (observed: number): Violation => ({
  rule: 'ADM-OVER-QUOTA',
  school_id: '3441080001',
  region_code: '410802',
  period: '2025',
  subject: null,
  observed,
  threshold: 300,
  details: { plan_quota: 300 },
});

/** One successful run of `rule` as of `at` that found `rows`, applied to the stored alerts. */
async function applyRun(conn: DuckDBConnection, rule: string, at: string, rows: Violation[]): Promise<void> {
  const transitions = evaluate(await loadAlertStates(conn, rule), rows, at);
  await applyTransitions(conn, 'critical', transitions, {
    rule,
    as_of: at,
    effective_as_of: at,
    started_at: at,
    duration_ms: 3,
    rows_found: rows.length,
    ok: true,
    error: null,
  });
}

describe('alerts in the warehouse', () => {
  let instance: DuckDBInstance;
  let conn: DuckDBConnection;
  const runAt = (at: string, rows: Violation[]) => applyRun(conn, 'ADM-OVER-QUOTA', at, rows);
  const alert = async () =>
    (
      await conn.runAndReadAll(
        `select status, occurrence, observed, strftime(timezone('Asia/Shanghai', opened_at), '%H:%M:%S') as opened, resolved_at is not null as resolved from alerts`,
      )
    ).getRowObjectsJson();

  beforeAll(async () => {
    instance = await openWarehouse(join(mkdtempSync(join(tmpdir(), 'edumon-alerts-')), 'w.duckdb'));
    conn = await connect(instance);
    await migrate(conn);
  });
  afterAll(() => {
    conn.closeSync();
    instance.closeSync();
  });

  it('opens, keeps, resolves and reopens the same alert as its violation comes and goes', async () => {
    await runAt('2025-07-12T10:00:00+08:00', [over(301)]);
    expect(await alert()).toEqual([{ status: 'open', occurrence: 1, observed: '301', opened: '10:00:00', resolved: false }]);

    await runAt('2025-07-12T10:00:10+08:00', [over(302)]);
    expect(await alert()).toEqual([{ status: 'open', occurrence: 1, observed: '302', opened: '10:00:00', resolved: false }]);

    await runAt('2025-07-12T10:00:20+08:00', []); // a cancellation brought it back within the plan
    expect(await alert()).toEqual([{ status: 'resolved', occurrence: 1, observed: '302', opened: '10:00:00', resolved: true }]);

    await runAt('2025-07-12T10:00:30+08:00', [over(301)]);
    expect(await alert()).toEqual([{ status: 'open', occurrence: 2, observed: '301', opened: '10:00:30', resolved: false }]);

    const history = (await conn.runAndReadAll(`select kind, occurrence from alert_transitions order by happened_at`)).getRowObjectsJson();
    expect(history).toEqual([
      { kind: 'open', occurrence: 1 },
      { kind: 'resolve', occurrence: 1 },
      { kind: 'reopen', occurrence: 2 },
    ]);
    const runs = (await conn.runAndReadAll(`select count(*)::int as n, bool_and(ok) as ok from rule_runs`)).getRowObjectsJson();
    expect(runs).toEqual([{ n: 4, ok: true }]);
  });

  it('gives an alert an id derived from its identity, the same in every run', async () => {
    const ids = (await conn.runAndReadAll(`select id from alerts`)).getRows().map((r) => r[0]);
    expect(ids).toEqual([alertIdOf(over(0))]);
  });

  it('applies a run that opens, resolves and reopens tens of thousands of alerts at once', async () => {
    // A feed gone wrong: every staff member's wage missing at once, then half of it paid, then all of it back.
    const missing = (n: number): Violation => ({
      rule: 'WAGE-MISSING',
      school_id: '3441080001',
      region_code: '410802',
      period: '2025-06',
      subject: `staff-${n}`,
      observed: 0,
      threshold: 6000,
      details: { due_date: '2025-07-10' },
    });
    const all = Array.from({ length: 30_000 }, (_, i) => missing(i));
    const wage = (at: string, rows: Violation[]) => applyRun(conn, 'WAGE-MISSING', at, rows);
    const states = async () =>
      (
        await conn.runAndReadAll(`select status, occurrence, count(*)::int as n from alerts where rule = 'WAGE-MISSING' group by all order by all`)
      ).getRowObjectsJson();
    await wage('2025-07-11T02:00:00+08:00', all);
    expect(await states()).toEqual([{ status: 'open', occurrence: 1, n: 30_000 }]);
    await wage(
      '2025-07-12T02:00:00+08:00',
      all.filter((_, i) => i % 2 === 0),
    );
    expect(await states()).toEqual([
      { status: 'open', occurrence: 1, n: 15_000 },
      { status: 'resolved', occurrence: 1, n: 15_000 },
    ]);
    await wage('2025-07-13T02:00:00+08:00', all);
    expect(await states()).toEqual([
      { status: 'open', occurrence: 1, n: 15_000 },
      { status: 'open', occurrence: 2, n: 15_000 },
    ]);
    const history = await conn.runAndReadAll(`
      select t.kind, t.occurrence, strftime(timezone('Asia/Shanghai', t.happened_at), '%m-%d') as day, count(*)::int as n
      from alert_transitions t join alerts a on a.id = t.alert_id where a.rule = 'WAGE-MISSING' group by all order by day`);
    expect(history.getRowObjectsJson()).toEqual([
      { kind: 'open', occurrence: 1, day: '07-11', n: 30_000 },
      { kind: 'resolve', occurrence: 1, day: '07-12', n: 15_000 },
      { kind: 'reopen', occurrence: 2, day: '07-13', n: 15_000 },
    ]);
    const seen = await conn.runAndReadAll(`select count(*)::int as n from alerts where rule = 'WAGE-MISSING' and last_seen_at = '2025-07-13T02:00:00+08:00'`);
    expect(seen.getRowObjectsJson()).toEqual([{ n: 30_000 }]);
  });
});

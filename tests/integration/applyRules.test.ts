/** Rule runs that change alert state: the lifecycle applied run after run, DQ-RULE-FAILED, --dry-run. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyRules } from '../../alerts/applyRules.ts';
import { type Rule, ruleById } from '../../alerts/rules.ts';
import { loadConfig } from '../../core/config.ts';
import { connect, openWarehouse } from '../../core/db.ts';
import { migrate } from '../../pipeline/migrate.ts';
import { overQuotaThenCancelled, serviceOnWorld, storeWorld } from '../helpers/alertWorld.ts';
import { runEdumon } from '../helpers/cli.ts';
import { testEnv } from '../helpers/testEnv.ts';
import { queryWarehouse } from '../helpers/warehouse.ts';

const alertsSql = `select rule, subject, status, occurrence from alerts order by rule, subject`;

describe('edumon rules run applies the alert lifecycle', () => {
  const t = testEnv('apply-rules');
  // The cancellation is the admission feed's last event: with no allowed lateness the feed is
  // complete up to it, so a run after it counts it (10 minutes' lateness would leave it unjudged).
  t.env.EDUMON_FEEDS_ALLOWED_LATENESS_MINUTES = '0';
  afterAll(() => rmSync(t.dir, { recursive: true, force: true }));

  it('opens ADM-OVER-QUOTA, leaves it alone on --dry-run, resolves it once the cancellation counts', async () => {
    await storeWorld(t.config.warehouse, overQuotaThenCancelled());
    const run = (at: string, ...extra: string[]) => runEdumon(['rules', 'run', '--rule', 'ADM-OVER-QUOTA', '--at', at, '--json', ...extra], t.env);

    let r = await run('2025-07-13T00:00:00+08:00');
    expect(r.code, r.output).toBe(0);
    expect(await queryWarehouse(t.config.warehouse, alertsSql)).toEqual([{ rule: 'ADM-OVER-QUOTA', subject: null, status: 'open', occurrence: 1 }]);

    r = await run('2025-07-15T00:00:00+08:00', '--dry-run');
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toBe('');
    expect(await queryWarehouse(t.config.warehouse, alertsSql)).toEqual([{ rule: 'ADM-OVER-QUOTA', subject: null, status: 'open', occurrence: 1 }]);

    r = await run('2025-07-15T00:00:00+08:00');
    expect(r.code, r.output).toBe(0);
    expect(await queryWarehouse(t.config.warehouse, alertsSql)).toEqual([{ rule: 'ADM-OVER-QUOTA', subject: null, status: 'resolved', occurrence: 1 }]);
    const runs = await queryWarehouse(t.config.warehouse, `select rule, rows_found, ok from rule_runs order by as_of`);
    expect(runs).toEqual([
      { rule: 'ADM-OVER-QUOTA', rows_found: 1, ok: true },
      { rule: 'ADM-OVER-QUOTA', rows_found: 0, ok: true },
    ]);
  });
});

describe('edumon rules run while edumon run holds the warehouse', () => {
  const t = testEnv('apply-rules-service');
  t.env.EDUMON_FEEDS_ALLOWED_LATENESS_MINUTES = '0';
  serviceOnWorld(t, () => overQuotaThenCancelled());

  it('goes through the service: --dry-run changes nothing, a plain run opens the alert', async () => {
    const run = (...extra: string[]) => runEdumon(['rules', 'run', '--rule', 'ADM-OVER-QUOTA', '--at', '2025-07-13T00:00:00+08:00', '--json', ...extra], t.env);
    const listed = async () =>
      (await runEdumon(['alerts', 'list', '--json', '--rule', 'ADM-OVER-QUOTA'], t.env)).stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    let r = await run('--dry-run');
    expect(r.code, r.output).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(await listed()).toEqual([]);
    r = await run();
    expect(r.code, r.output).toBe(0);
    expect((await listed()).map((a) => [a.rule, a.status])).toEqual([['ADM-OVER-QUOTA', 'open']]);
  });
});

describe('a failing rule', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edumon-rule-failed-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const config = loadConfig({ env: {} });

  it('records the failed run, opens DQ-RULE-FAILED for it, never stops the others, and resolves when it next succeeds', async () => {
    const instance = await openWarehouse(join(dir, 'w.duckdb'));
    const conn = await connect(instance);
    try {
      await migrate(conn);
      const good = ruleById('ADM-OVER-QUOTA');
      const broken: Rule = { ...good, sql: 'select * from no_such_table' };
      const slow: Rule = { ...ruleById('ADM-DUPLICATE'), params: [], sql: 'select count(*) from range(10000000000) a' };

      const first = await applyRules(conn, [broken, slow, good], { config, asOf: '2025-07-12T23:30:00+08:00', timeoutMs: 300 });
      expect(first.runs.map((r) => [r.rule, Boolean(r.error)])).toEqual([
        ['ADM-OVER-QUOTA', true],
        ['ADM-DUPLICATE', true],
        ['ADM-OVER-QUOTA', false],
      ]);
      expect(first.runs[1]!.error).toMatch(/timed out after 300 ms/);
      const dq = async () =>
        (
          await conn.runAndReadAll(`select rule, school_id, region_code, period, subject, status from alerts where rule = 'DQ-RULE-FAILED' order by subject`)
        ).getRowObjectsJson();
      // The good run after the broken one (same id) already resolved the broken one's alert: last run wins.
      expect(await dq()).toEqual([
        { rule: 'DQ-RULE-FAILED', school_id: null, region_code: null, period: '2025-07-12', subject: 'ADM-DUPLICATE', status: 'open' },
        { rule: 'DQ-RULE-FAILED', school_id: null, region_code: null, period: '2025-07-12', subject: 'ADM-OVER-QUOTA', status: 'resolved' },
      ]);
      const runs = (await conn.runAndReadAll(`select rule, ok, rows_found from rule_runs`)).getRowObjectsJson();
      expect(runs).toEqual([
        { rule: 'ADM-OVER-QUOTA', ok: false, rows_found: null },
        { rule: 'ADM-DUPLICATE', ok: false, rows_found: null },
        { rule: 'ADM-OVER-QUOTA', ok: true, rows_found: 0 },
      ]);

      await applyRules(conn, [ruleById('ADM-DUPLICATE')], { config, asOf: '2025-07-13T00:30:00+08:00', timeoutMs: 10_000 });
      expect((await dq()).map((a) => a.status)).toEqual(['resolved', 'resolved']);
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });
});

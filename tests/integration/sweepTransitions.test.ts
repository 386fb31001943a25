/**
 * The alert seam: applying a sweep returns the transitions it made, each with its alert as the
 * alerts table then holds it, and runs a caller's step in the same transaction (a step that
 * throws leaves the warehouse as it was); a dry run returns the transitions it would make.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppliedSweep, applyRules } from '../../alerts/applyRules.ts';
import type { AlertTransition } from '../../alerts/evaluate.ts';
import { type Rule, ruleById } from '../../alerts/rules.ts';
import { loadConfig } from '../../core/config.ts';
import { connect, openWarehouse } from '../../core/db.ts';
import { migrate } from '../../pipeline/migrate.ts';

const config = loadConfig({ env: {} });
// A rule whose violations are the rows of a table the test fills: one per school in `present`.
const rule: Rule = {
  ...ruleById('ADM-OVER-QUOTA'),
  params: [],
  sql: `select 'ADM-OVER-QUOTA' as rule, school_id, '410821' as region_code, '2025' as period, null as subject,
          observed, 300::double as threshold, json_object('plan_quota', 300) as details from present`,
};
const T = ['2025-07-12T10:00:00Z', '2025-07-12T10:00:10Z', '2025-07-12T10:00:20Z', '2025-07-12T10:00:30Z'] as const;

describe('applying a sweep', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edumon-sweep-transitions-'));
  let instance: DuckDBInstance;
  let conn: DuckDBConnection;
  const present = async (...rows: [string, number][]) => {
    await conn.run('delete from present');
    for (const [school, observed] of rows) await conn.run(`insert into present values ($1, $2)`, [school, observed]);
  };
  const sweep = (
    at: string,
    more: { dryRun?: boolean; step?: (c: DuckDBConnection, ts: readonly AlertTransition[]) => Promise<void> } = {},
  ): Promise<AppliedSweep> => applyRules(conn, [rule], { config, asOf: at, ...more });
  /** The alerts table, in the shape of a transition's alert (times ISO 8601 UTC). */
  const stored = async () =>
    (
      await conn.runAndReadAll(`select id, rule, school_id, region_code, period, subject, severity, status, occurrence,
        strftime(timezone('UTC', opened_at), '%Y-%m-%dT%H:%M:%S.%gZ') as opened_at,
        strftime(timezone('UTC', last_seen_at), '%Y-%m-%dT%H:%M:%S.%gZ') as last_seen_at,
        strftime(timezone('UTC', resolved_at), '%Y-%m-%dT%H:%M:%S.%gZ') as resolved_at,
        observed, threshold, details::varchar as details from alerts order by id`)
    ).getRowObjectsJson();
  const asStored = (ts: readonly AlertTransition[]) =>
    ts.map((t) => ({ ...t.alert, details: JSON.stringify(t.alert.details) })).sort((a, b) => (a.id < b.id ? -1 : 1));
  const counts = async () =>
    (
      await conn.runAndReadAll(`select (select count(*) from alert_transitions)::int as transitions, (select count(*) from rule_runs)::int as runs`)
    ).getRowObjectsJson()[0];

  beforeAll(async () => {
    instance = await openWarehouse(join(dir, 'w.duckdb'));
    conn = await connect(instance);
    await migrate(conn);
    await conn.run('create table present (school_id varchar, observed double)');
  });
  afterAll(() => {
    conn.closeSync();
    instance.closeSync();
    rmSync(dir, { recursive: true, force: true });
  });

  it('returns the alerts it opened, each as the alerts table holds it', async () => {
    await present(['A', 301], ['B', 302]);
    const first = await sweep(T[0]);
    expect(first.transitions.map((t) => [t.kind, t.alert.school_id, t.alert.status, t.alert.occurrence, t.at])).toEqual([
      ['open', 'A', 'open', 1, '2025-07-12T10:00:00.000Z'],
      ['open', 'B', 'open', 1, '2025-07-12T10:00:00.000Z'],
    ]);
    expect(first.transitions[0]!.alert).toMatchObject({
      rule: 'ADM-OVER-QUOTA',
      severity: 'critical',
      observed: '301',
      threshold: '300',
      details: { plan_quota: 300 },
    });
    expect(asStored(first.transitions)).toEqual(await stored());
  });

  it('returns nothing for an alert seen again, a resolution with the alert as it was, then a reopening', async () => {
    await present(['A', 305], ['B', 302]);
    expect((await sweep(T[1])).transitions).toEqual([]);
    await present(['A', 305]);
    const resolved = await sweep(T[2]);
    expect(resolved.transitions.map((t) => [t.kind, t.alert.school_id, t.alert.status, t.alert.resolved_at])).toEqual([
      ['resolve', 'B', 'resolved', '2025-07-12T10:00:20.000Z'],
    ]);
    await present(['A', 305], ['B', 310]);
    const reopened = await sweep(T[3]);
    expect(reopened.transitions.map((t) => [t.kind, t.alert.school_id, t.alert.occurrence, t.alert.opened_at])).toEqual([
      ['reopen', 'B', 2, '2025-07-12T10:00:30.000Z'],
    ]);
    expect(asStored(reopened.transitions)).toEqual((await stored()).filter((a) => a.school_id === 'B'));
    // Resolved, B was as the table held it before it reopened.
    expect(asStored(resolved.transitions)).toEqual([
      {
        ...asStored(reopened.transitions)[0],
        occurrence: 1,
        status: 'resolved',
        opened_at: T[0].replace('Z', '.000Z'),
        last_seen_at: T[1].replace('Z', '.000Z'),
        resolved_at: T[2].replace('Z', '.000Z'),
        observed: '302',
      },
    ]);
  });

  it('hands the step the transitions inside the transaction, where the alerts already hold them', async () => {
    await present(['A', 305]);
    let seen: { transitions: readonly AlertTransition[]; table: unknown } | undefined;
    const result = await sweep('2025-07-12T10:00:40Z', {
      step: async (c, transitions) => {
        seen = { transitions, table: (await c.runAndReadAll(`select status from alerts where school_id = 'B'`)).getRowObjectsJson() };
      },
    });
    expect(seen?.transitions).toEqual(result.transitions);
    expect(result.transitions.map((t) => [t.kind, t.alert.school_id])).toEqual([['resolve', 'B']]);
    expect(seen?.table).toEqual([{ status: 'resolved' }]);
  });

  it('keeps nothing of a sweep whose step throws: no alert changed, no transition or run recorded', async () => {
    await present(['A', 305], ['B', 320], ['C', 330]);
    const before = { alerts: await stored(), counts: await counts() };
    const result = await sweep('2025-07-12T10:00:50Z', {
      step: async () => {
        throw new Error('outbox full');
      },
    });
    expect(result.transitions).toEqual([]);
    expect(result.violations).toEqual([]);
    expect(result.runs.map((r) => r.error)).toEqual(['sql/rules/ADM-OVER-QUOTA.sql: alert state not updated: outbox full']);
    expect({ alerts: await stored(), counts: await counts() }).toEqual(before);
  });

  it('on a dry run, returns the transitions it would make and stores nothing', async () => {
    const before = { alerts: await stored(), counts: await counts() };
    let stepped = false;
    const dry = await sweep('2025-07-12T10:01:00Z', {
      dryRun: true,
      step: async () => {
        stepped = true;
      },
    });
    expect(dry.transitions.map((t) => [t.kind, t.alert.school_id, t.alert.occurrence])).toEqual([
      ['reopen', 'B', 3],
      ['open', 'C', 1],
    ]);
    expect(stepped).toBe(false);
    expect({ alerts: await stored(), counts: await counts() }).toEqual(before);
    // The same sweep stored makes exactly those transitions.
    const wet = await sweep('2025-07-12T10:01:00Z');
    expect(wet.transitions).toEqual(dry.transitions);
    expect(asStored(wet.transitions)).toEqual((await stored()).filter((a) => a.school_id !== 'A'));
  });
});

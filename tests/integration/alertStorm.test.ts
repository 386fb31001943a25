/**
 * The storm valve against a real warehouse file: a run over the bound opens DQ-ALERT-STORM and
 * none of the rule's alerts; its next run lets through those it finds again; a storm whose
 * violations vanish resolves with nothing opened; `edumon alerts release` lets them through.
 * The bound is lowered to 2 alerts (and half of what the rule finds): five students admitted from
 * outside the county's zone are a storm of ADM-CROSS-REGION.
 */
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { applyRules } from '../../alerts/applyRules.ts';
import { ruleById } from '../../alerts/rules.ts';
import type { Config } from '../../core/config.ts';
import { connect, openWarehouse } from '../../core/db.ts';
import { HS, serviceOnWorld, storeWorld } from '../helpers/alertWorld.ts';
import { listAlerts, runEdumon } from '../helpers/cli.ts';
import { RuleWorld } from '../helpers/ruleWorld.ts';
import { testEnv } from '../helpers/testEnv.ts';
import { queryWarehouse } from '../helpers/warehouse.ts';

const RULE = 'ADM-CROSS-REGION';
// No allowed lateness: the runs judge their moment, not ten minutes before the last admission.
const BOUND = { EDUMON_RULES_STORM_MAX_OPENS: '2', EDUMON_RULES_STORM_MAX_SHARE: '0.3', EDUMON_FEEDS_ALLOWED_LATENESS_MINUTES: '0' };

/** A county high school (410821) with a plan, and `students` admitted from the urban zone on 12 July. */
function crossRegion(students: string[], at = '2025-07-12T10:00:00+08:00', w = new RuleWorld().school(HS)): RuleWorld {
  if (!w.events.some((e) => e.type === 'admission_plan.published')) {
    w.add('admission_plan.published', '2025-07-10T08:00:00+08:00', {
      school_id: HS,
      year: 2025,
      plan_quota: 100,
      window_opens_at: '2025-07-10T09:00:00+08:00',
      window_closes_at: '2025-07-20T18:00:00+08:00',
    });
  }
  for (const s of students)
    w.add('admission.admitted', at, { school_id: HS, student_id: s, year: 2025, home_region_code: '410802', admission_type: 'unified' });
  return w;
}
const FIVE = ['a', 'b', 'c', 'd', 'e'];

describe('the storm valve (DQ-ALERT-STORM)', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const warehouse = async (w: RuleWorld): Promise<{ file: string; config: Config }> => {
    const t = testEnv('alert-storm', BOUND);
    dirs.push(t.dir);
    await storeWorld(t.config.warehouse, w);
    return { file: t.config.warehouse, config: t.config };
  };
  /** One applied run of the rule as of `at`, on the warehouse file. */
  const sweep = async ({ file, config }: { file: string; config: Config }, at: string) => {
    const instance = await openWarehouse(file);
    const conn = await connect(instance);
    try {
      const r = await applyRules(conn, [ruleById(RULE)], { config, asOf: at });
      expect(r.runs.filter((x) => x.error)).toEqual([]);
      return r;
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  };
  const alerts = (file: string) =>
    queryWarehouse(file, `select rule, subject, status, observed, threshold from alerts order by rule, subject`) as Promise<Record<string, unknown>[]>;
  const held = async (file: string) => (await queryWarehouse<{ n: number }>(file, `select count(*)::integer as n from held_alerts`))[0]!.n;
  const stormOf = (status: string, observed: string) => ({ rule: 'DQ-ALERT-STORM', subject: RULE, status, observed, threshold: '2' });

  it('a run over the bound opens DQ-ALERT-STORM and none of the rule alerts; the next run finding them lets them through and resolves it', async () => {
    const w = await warehouse(crossRegion(FIVE));
    const first = await sweep(w, '2025-07-12T12:00:00+08:00');
    expect(first.violations).toHaveLength(5);
    expect(first.storms).toEqual([{ rule: RULE, held: 5, confirmed: 0, found: 5, share: 1 }]);
    // Held opens are no transitions; the storm alert's opening is.
    expect(first.transitions.map((t) => [t.kind, t.alert.rule, t.alert.subject])).toEqual([['open', 'DQ-ALERT-STORM', RULE]]);
    expect(await alerts(w.file)).toEqual([stormOf('open', '5')]);
    const [storm] = await queryWarehouse<{ details: string; region_code: string | null; period: string }>(
      w.file,
      `select details::varchar as details, region_code, period from alerts where rule = 'DQ-ALERT-STORM'`,
    );
    expect({ ...storm, details: JSON.parse(storm!.details) }).toEqual({
      region_code: null,
      period: '2025-07-12',
      details: { held: 5, found: 5, share: 1, max_opens: 2, max_share: 0.3 },
    });
    expect(await held(w.file)).toBe(5);

    const second = await sweep(w, '2025-07-12T12:00:10+08:00');
    expect(second.storms).toEqual([{ rule: RULE, held: 0, confirmed: 5, found: 5, share: 0 }]);
    expect(second.transitions.filter((t) => t.alert.rule === RULE && t.kind === 'open')).toHaveLength(5);
    expect(second.transitions.filter((t) => t.alert.rule === 'DQ-ALERT-STORM').map((t) => t.kind)).toEqual(['resolve']);
    expect((await alerts(w.file)).map((a) => [a.rule, a.status])).toEqual([
      ['ADM-CROSS-REGION', 'open'],
      ['ADM-CROSS-REGION', 'open'],
      ['ADM-CROSS-REGION', 'open'],
      ['ADM-CROSS-REGION', 'open'],
      ['ADM-CROSS-REGION', 'open'],
      ['DQ-ALERT-STORM', 'resolved'],
    ]);
    expect(await held(w.file)).toBe(0);
  });

  it('the next run lets the confirmed ones through and holds new ones beyond the bound again', async () => {
    const w = await warehouse(crossRegion(['f', 'g', 'h'], '2025-07-13T10:00:00+08:00', crossRegion(FIVE)));
    await sweep(w, '2025-07-12T12:00:00+08:00');
    const second = await sweep(w, '2025-07-13T12:00:00+08:00');
    expect(second.storms).toEqual([{ rule: RULE, held: 3, confirmed: 5, found: 8, share: 3 / 8 }]);
    const rows = await alerts(w.file);
    expect(rows.filter((a) => a.rule === RULE && a.status === 'open')).toHaveLength(5);
    // A new storm of that date: the first one's alert resolves, the second's opens.
    expect(rows.filter((a) => a.rule === 'DQ-ALERT-STORM')).toEqual([stormOf('resolved', '5'), stormOf('open', '3')]);
    expect(await held(w.file)).toBe(3);
  });

  it('a storm whose violations vanish resolves with nothing opened', async () => {
    const w = crossRegion(FIVE);
    for (const s of FIVE) w.add('admission.cancelled', '2025-07-12T13:00:00+08:00', { school_id: HS, student_id: s, year: 2025 });
    const file = await warehouse(w);
    await sweep(file, '2025-07-12T12:00:00+08:00');
    const second = await sweep(file, '2025-07-12T14:00:00+08:00');
    expect(second.transitions.map((t) => [t.kind, t.alert.rule])).toEqual([['resolve', 'DQ-ALERT-STORM']]);
    expect(await alerts(file.file)).toEqual([stormOf('resolved', '5')]);
    expect(await held(file.file)).toBe(0);
  });

  it('a held storm survives a restart: it is stored, not remembered', async () => {
    const w = await warehouse(crossRegion(FIVE));
    await sweep(w, '2025-07-12T12:00:00+08:00');
    // Every sweep opens the file afresh: what the second one confirms came from held_alerts.
    const rows = await queryWarehouse(w.file, `select rule, subject, period, held_at from held_alerts order by subject`);
    expect(rows).toHaveLength(5);
    expect(rows[0]).toMatchObject({ rule: RULE, period: '2025' });
  });
});

describe('edumon alerts release', () => {
  const t = testEnv('alert-storm-cli', BOUND);
  afterAll(() => rmSync(t.dir, { recursive: true, force: true }));

  it('a dry run says what would be held; a run holds it; release opens the held alerts and resolves the storm; then nothing is held', async () => {
    await storeWorld(t.config.warehouse, crossRegion(FIVE));
    const run = (...extra: string[]) => runEdumon(['rules', 'run', '--rule', RULE, '--at', '2025-07-12T12:00:00+08:00', ...extra], t.env);
    let r = await run('--dry-run');
    expect(r.code, r.output).toBe(0);
    expect(r.stderr).toMatch(/DQ-ALERT-STORM: 5 new alert\(s\) of ADM-CROSS-REGION would be held back \(100% of the 5 found\)/);
    expect(await listAlerts(t.env)).toEqual([]);

    r = await run();
    expect(r.code, r.output).toBe(0);
    expect(r.stderr).toMatch(/5 new alert\(s\) of ADM-CROSS-REGION were held back.*edumon alerts release --rule ADM-CROSS-REGION/);
    expect((await listAlerts(t.env)).map((a) => [a.rule, a.status, a.subject, a.observed])).toEqual([['DQ-ALERT-STORM', 'open', RULE, '5']]);

    r = await runEdumon(['alerts', 'release', '--rule', RULE, '--json'], t.env);
    expect(r.code, r.output).toBe(0);
    const printed = r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(printed.map((p) => [p.kind, p.rule])).toEqual([...FIVE.map(() => ['open', RULE]), ['resolve', 'DQ-ALERT-STORM']]);
    const after = await listAlerts(t.env);
    expect(after.filter((a) => a.rule === RULE && a.status === 'open')).toHaveLength(5);
    expect(after.filter((a) => a.rule === 'DQ-ALERT-STORM').map((a) => a.status)).toEqual(['resolved']);

    r = await runEdumon(['alerts', 'release', '--rule', RULE], t.env);
    expect(r.code, r.output).toBe(2);
    expect(r.stderr).toMatch(/nothing is held for ADM-CROSS-REGION/);
    // A rule that does not exist, or none given, fails before the warehouse is opened.
    expect((await runEdumon(['alerts', 'release', '--rule', 'ADM-CROSS-REGON'], t.env)).code).toBe(2);
    expect((await runEdumon(['alerts', 'release'], t.env)).code).toBe(2);
  });
});

describe('edumon alerts release while edumon run holds the warehouse', () => {
  const t = testEnv('alert-storm-service', BOUND);
  serviceOnWorld(t, () => crossRegion(FIVE));

  it('goes through the service: the run holds, an ack of the storm and the release run beside the rule runs', async () => {
    let r = await runEdumon(['rules', 'run', '--rule', RULE, '--at', '2025-07-12T12:00:00+08:00'], t.env);
    expect(r.code, r.output).toBe(0);
    expect(r.stderr).toMatch(/5 new alert\(s\) of ADM-CROSS-REGION were held back/);
    // Only the storm: the service may have raised DQ-CALENDAR-STALE at start, whatever the date.
    const [storm] = await listAlerts(t.env, '--rule', 'DQ-ALERT-STORM');
    expect(storm).toMatchObject({ rule: 'DQ-ALERT-STORM', subject: RULE, status: 'open' });
    r = await runEdumon(['alerts', 'ack', String(storm!.id), '--note', 'checking the admission feed'], t.env);
    expect(r.code, r.output).toBe(0);

    r = await runEdumon(['alerts', 'release', '--rule', RULE, '--json'], t.env);
    expect(r.code, r.output).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(6);
    const after = await listAlerts(t.env);
    expect(after.filter((a) => a.rule === RULE && a.status === 'open')).toHaveLength(5);
    // A daily rule with nothing held: a usage error from the service, exit 2.
    r = await runEdumon(['alerts', 'release', '--rule', 'WAGE-MISSING'], t.env);
    expect(r.code, r.output).toBe(2);
    expect(r.stderr).toMatch(/nothing is held for WAGE-MISSING/);
  });
});

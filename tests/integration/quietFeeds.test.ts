/**
 * Issue 19: alerts are right when a feed goes quiet. Each failing input of the issue, as a user
 * meets it: events through `edumon ingest` into Kafka, `edumon run --until-idle`, then `edumon rules
 * run`. The clock is controlled (failpoints.clock) where the answer depends on how long a feed has
 * been quiet: the allowed lateness (10 minutes) waits for stragglers, not for ever.
 *
 * 1. A registry's last batch (teachers hired at 2025-10-01 09:00) is counted once the registry is quiet.
 * 2. September's wages paid on the due day (10 October) and nothing after: September's missing,
 *    short and late wages and the public teacher paid by a private school are found the day after
 *    the due day, and weeks later, not a month later.
 * 3. After a backfill, a dry run as of a moment weeks after the data's last events answers as of
 *    that moment: exactly what the simulator's oracle finds as of it.
 * 4. Live, `edumon run` with a payroll feed that publishes September's run on its due day and then
 *    nothing: WAGE-MISSING opens within one daily cadence after the due day.
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseShanghaiTime } from '../../core/shanghai.ts';
import { topicsOf } from '../../domain/topics.ts';
import { identityOf, type ViolationKey } from '../../domain/violation.ts';
import { serviceFileOf } from '../../service/client.ts';
import { runEdumon, spawnEdumon, waitFor } from '../helpers/cli.ts';
import { pseudonym, RuleWorld } from '../helpers/ruleWorld.ts';
import { openSimulated } from '../helpers/simulatedViolations.ts';
import { type TestEnv, testEnv } from '../helpers/testEnv.ts';

const HS = '3441210001';
const KG = '1141210001';
const PUBLIC_HS = '3441210002';
const PRIVATE = '3441210009';

/** The clock of a command run `minutes` from now: a feed whose last batch arrived now has been quiet that long. */
const clockIn = (minutes: number) => ({ EDUMON_FAILPOINT_CLOCK: `at=${new Date(Date.now() + minutes * 60_000).toISOString()}` });

/** Publishes a world's events with `edumon ingest` and stores them with `edumon run --until-idle`. */
async function ingestAndStore(t: TestEnv, world: RuleWorld): Promise<void> {
  const file = join(t.dir, 'events.jsonl');
  writeFileSync(file, world.events.map((e) => `${JSON.stringify(e)}\n`).join(''));
  const ingest = await runEdumon(['ingest', file], t.env);
  expect(ingest.code, ingest.output).toBe(0);
  const run = await runEdumon(['run', '--until-idle'], t.env);
  expect(run.code, run.output).toBe(0);
}

/** `edumon rules run --json` (exit 0 asserted): the violations, and the per-rule lines of stderr. */
async function rulesRun(t: TestEnv, args: string[], env: Record<string, string> = {}) {
  const r = await runEdumon(['rules', 'run', '--json', ...args], { ...t.env, ...env });
  expect(r.code, r.output).toBe(0);
  const parse = (text: string) =>
    text
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { violations: parse(r.stdout) as unknown as ViolationKey[], runs: parse(r.stderr), stderr: r.stderr };
}

/** Every rule that reads the payroll feed (its header's feeds). */
const PAYROLL_RULES = ['DQ-STALE-FEED', 'DQ-UNKNOWN-SCHOOL', 'INSURANCE-MISSING', 'STAFF-PUBLIC-AT-PRIVATE', 'WAGE-LATE', 'WAGE-MISSING', 'WAGE-SHORT'];

const keys = (vs: ViolationKey[]) => vs.map((v) => [v.rule, v.school_id, v.period, v.subject]).sort();

describe('a registry whose last batch is followed by quiet', () => {
  const t = testEnv('quiet-registry');
  afterAll(() => rmSync(t.dir, { recursive: true, force: true }));

  /**
   * A high school of 110 students (1.1 × 110 / 12.5 = 9.68 teachers needed) and a public kindergarten
   * of 45 children (3 needed at 1:15), each short of teachers until the registry's last batch, at
   * 2025-10-01 09:00, hires five and two.
   */
  const world = () => {
    const w = new RuleWorld().school(HS).school(KG, { level: 'kindergarten', name: '城关镇中心幼儿园' });
    w.students(HS, 110, {}, '2025-09-01T08:00:00+08:00').students(KG, 45, { level: 'kindergarten', grade: 1, class_id: 'k' }, '2025-09-01T08:00:00+08:00');
    for (let i = 1; i <= 5; i++) w.staff(`JZH${i}`, { school_id: HS });
    w.staff('JZK1', { school_id: KG });
    for (let i = 6; i <= 10; i++) w.staff(`JZH${i}`, { school_id: HS }, '2025-10-01T09:00:00+08:00');
    for (let i = 2; i <= 3; i++) w.staff(`JZK${i}`, { school_id: KG }, '2025-10-01T09:00:00+08:00');
    return w;
  };

  it('counts the quiet registry’s last batch once its allowed lateness has passed, and a dry run counts it at once', { timeout: 300_000 }, async () => {
    await ingestAndStore(t, world());
    const asked = ['--at', '2025-11-05T00:00:00+08:00', '--rule'];
    // A dry run on a warehouse holding every event published answers as of the moment asked.
    const dry = await rulesRun(t, [...asked, 'HS-TEACHERS', '--dry-run']);
    expect(dry.stderr).toContain('edumon: every event published is stored: each rule judged as of 2025-11-05T00:00:00+08:00, as asked');
    expect(dry.violations).toEqual([]);
    // Right after the batch arrived, an applied run still waits its allowed lateness for stragglers.
    const waiting = await rulesRun(t, [...asked, 'HS-TEACHERS']);
    expect(waiting.runs[0]).toMatchObject({ effective_as_of: '2025-10-01T08:50:00+08:00', held_by: 'registry' });
    // Eleven minutes later (the controlled clock), the registry is quiet: complete up to its last
    // event, and with every feed quiet, up to the clock. Applied, as the scheduler would: what the
    // wait opened is resolved.
    for (const rule of ['HS-TEACHERS', 'KG-TEACHER-RATIO']) {
      const r = await rulesRun(t, [...asked, rule], clockIn(11));
      expect(r.violations, rule).toEqual([]);
      expect(r.runs[0]).toMatchObject({ rule, effective_as_of: '2025-11-05T00:00:00+08:00', held_by: null });
    }
    // The batch is what made the difference: as of a moment before it, both schools are short.
    const before = await rulesRun(t, ['--at', '2025-10-01T08:59:59+08:00', '--dry-run']);
    expect(keys(before.violations.filter((v) => v.rule === 'HS-TEACHERS' || v.rule === 'KG-TEACHER-RATIO'))).toEqual([
      ['HS-TEACHERS', HS, '2025', null],
      ['KG-TEACHER-RATIO', KG, '2025', null],
    ]);
  });
});

describe('a payroll feed that publishes the month’s run on its due day and goes quiet', () => {
  const t = testEnv('quiet-payroll');
  afterAll(() => rmSync(t.dir, { recursive: true, force: true }));

  /**
   * Four staff hired on 1 September: JZ001 is not paid for September, JZ002 is paid 1,000 yuan short,
   * JZ003 is paid at the first moment after the due day (the feed's last event, 2025-10-11 00:00),
   * and JZ004, a public-post teacher of a public school, is paid by a private school. Insurance is
   * paid for all four. Everything else was paid on 10 October, the due day.
   */
  const world = () => {
    const w = new RuleWorld().school(HS).school(PUBLIC_HS).school(PRIVATE, { ownership: 'private' });
    const hired = '2025-09-01T08:00:00+08:00';
    for (const id of ['JZ001', 'JZ002', 'JZ003']) w.staff(id, { school_id: HS }, hired);
    w.staff('JZ004', { school_id: PUBLIC_HS, employment: 'public_post' }, hired);
    const onDueDay = '2025-10-10T10:00:00+08:00';
    const wage = (staff_id: string, amount: number, school_id = HS, at = onDueDay) =>
      w.add('wage.paid', at, { school_id, staff_id, period: '2025-09', amount_yuan: amount });
    wage('JZ002', 5000);
    wage('JZ004', 6000, PRIVATE);
    for (const [id, school] of [
      ['JZ001', HS],
      ['JZ002', HS],
      ['JZ003', HS],
      ['JZ004', PUBLIC_HS],
    ] as const)
      w.add('social_insurance.paid', onDueDay, { school_id: school, staff_id: id, period: '2025-09', amount_yuan: 1500 });
    wage('JZ003', 6000, HS, '2025-10-11T00:00:00+08:00');
    return w;
  };
  const september = [
    ['STAFF-PUBLIC-AT-PRIVATE', PRIVATE, '2025-10', pseudonym('JZ004')],
    ['WAGE-LATE', HS, '2025-09', pseudonym('JZ003')],
    ['WAGE-MISSING', HS, '2025-09', pseudonym('JZ001')],
    ['WAGE-SHORT', HS, '2025-09', pseudonym('JZ002')],
  ].sort();

  it('finds September’s four payroll violations as of 12 October and of 5 November, and nothing else', { timeout: 300_000 }, async () => {
    await ingestAndStore(t, world());
    for (const at of ['2025-10-12T00:00:00+08:00', '2025-11-05T00:00:00+08:00']) {
      // Applied, eleven minutes after the run arrived: the payroll feed is quiet. Of every rule that
      // reads the payroll feed, these four fire, and nothing else (no insurance gap, no stale feed).
      // (Region-wide preschool rules fire too, this world having no kindergarten: not the payroll's.)
      const r = await rulesRun(t, ['--at', at], clockIn(11));
      expect(keys(r.violations.filter((v) => PAYROLL_RULES.includes(v.rule))), at).toEqual(september);
      const wageRuns = r.runs.filter((x) => String(x.rule).startsWith('WAGE-'));
      for (const run of wageRuns) expect(run, at).toMatchObject({ effective_as_of: at, held_by: null });
    }
    // Its next report is due with October's wages (the end of 10 November): an applied run judges no
    // further, so October is never taken for unpaid.
    const december = await rulesRun(t, ['--at', '2025-12-01T00:00:00+08:00', '--rule', 'WAGE-MISSING'], clockIn(11));
    expect(keys(december.violations)).toEqual([['WAGE-MISSING', HS, '2025-09', pseudonym('JZ001')]]);
    expect(december.runs[0]).toMatchObject({ effective_as_of: '2025-11-10T23:59:59.999+08:00', held_by: 'payroll' });
  });
});

describe('a dry run weeks after a backfill’s last events', () => {
  const t = testEnv('quiet-backfill');
  const sim = join(t.dir, 'sim');
  afterAll(() => rmSync(t.dir, { recursive: true, force: true }));

  it('answers as of the moment asked, equal to what the simulator’s oracle finds as of it', { timeout: 600_000 }, async () => {
    const pub = await runEdumon(['simulate', '--seed', '3', '--scale', '0.05', '--to', '2025-10-15', '--out', sim, '--publish'], t.env);
    expect(pub.code, pub.output).toBe(0);
    const run = await runEdumon(['run', '--until-idle'], t.env);
    expect(run.code, run.output).toBe(0);
    const at = '2025-11-05T00:00:00+08:00';
    const r = await rulesRun(t, ['--at', at, '--dry-run']);
    expect(r.stderr).toContain(`each rule judged as of ${at}, as asked`);
    for (const x of r.runs) expect(x, String(x.rule)).toMatchObject({ effective_as_of: at, held_by: null });
    // Which feeds had nothing near it: the registry's last version was weeks before.
    expect(r.runs.find((x) => x.rule === 'HS-TEACHERS')?.quiet_feeds).toEqual(expect.arrayContaining([expect.objectContaining({ feed: 'registry' })]));
    const oracle = await openSimulated(sim);
    try {
      const truth = await oracle.at({ asOf: new Date(Date.parse(at)).toISOString(), admissionTopic: topicsOf(t.config).admission });
      const want = truth.map((f) => identityOf({ ...f, subject: f.person && f.subject ? pseudonym(f.subject) : f.subject })).sort();
      const got = r.violations.map(identityOf).sort();
      expect(got.length).toBeGreaterThan(0);
      expect(got.filter((k) => !want.includes(k)).slice(0, 5), 'found, but no violation as of the moment asked').toEqual([]);
      expect(want.filter((k) => !got.includes(k)).slice(0, 5), 'violations as of the moment asked, not found').toEqual([]);
    } finally {
      oracle.close();
    }
  });
});

describe('a live payroll feed, quiet after its due day', () => {
  // The service's clock starts on the due day's noon and runs an hour a second.
  const t = testEnv('quiet-payroll-live', { EDUMON_RULES_SCHEDULE: 'on', EDUMON_FAILPOINT_CLOCK: 'at=2025-10-10T12:00:00+08:00,rate=3600' });
  afterAll(() => rmSync(t.dir, { recursive: true, force: true }));

  it('opens WAGE-MISSING within one daily cadence after the due day, not at the next month’s run', { timeout: 300_000 }, async () => {
    const w = new RuleWorld().school(HS);
    for (const id of ['JZ001', 'JZ002']) w.staff(id, { school_id: HS }, '2025-09-01T08:00:00+08:00');
    // September's run, published on the due day: JZ002 paid, JZ001 not; both insured.
    w.add('wage.paid', '2025-10-10T10:00:00+08:00', { school_id: HS, staff_id: 'JZ002', period: '2025-09', amount_yuan: 6000 });
    for (const id of ['JZ001', 'JZ002'])
      w.add('social_insurance.paid', '2025-10-10T10:00:00+08:00', { school_id: HS, staff_id: id, period: '2025-09', amount_yuan: 1500 });
    const svc = spawnEdumon(['run'], t.env);
    try {
      await waitFor(() => existsSync(serviceFileOf(t.config.warehouse)) || svc.child.exitCode !== null, 60_000, 'the service to start');
      const file = join(t.dir, 'payroll.jsonl');
      writeFileSync(file, w.events.map((e) => `${JSON.stringify(e)}\n`).join(''));
      const ingest = await runEdumon(['ingest', file], t.env);
      expect(ingest.code, ingest.output).toBe(0);
      const opened = async () => queryWarehouseVia(t, `select subject, period, opened_at from alerts where rule = 'WAGE-MISSING' and status = 'open'`);
      await waitFor(async () => (await opened()).length > 0 || svc.child.exitCode !== null, 180_000, 'WAGE-MISSING to open');
      const rows = await opened();
      expect(rows.map((r) => [r.subject, r.period])).toEqual([[pseudonym('JZ001'), '2025-09']]);
      // Opened by a sweep of the service's clock after the due day, before the day after's daily run ended.
      const when = parseShanghaiTime(String(rows[0]!.opened_at))!.getTime();
      expect(when).toBeGreaterThan(Date.parse('2025-10-11T02:00:00+08:00'));
      expect(when).toBeLessThan(Date.parse('2025-10-12T02:00:00+08:00'));
    } finally {
      svc.child.kill('SIGTERM');
      await svc.exited;
    }
  });
});

/** A query through the running service (`edumon query --format json`), rows as objects. */
async function queryWarehouseVia(t: TestEnv, sql: string): Promise<Record<string, unknown>[]> {
  const r = await runEdumon(['query', sql, '--format', 'json'], t.env);
  if (r.code !== 0) return [];
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

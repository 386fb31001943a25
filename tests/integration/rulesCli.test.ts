/** `edumon rules` as a user meets it: help, the catalogue, usage errors, a missing warehouse. */
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { overQuota, storeWorld } from '../helpers/alertWorld.ts';
import { runEdumon } from '../helpers/cli.ts';
import { testEnv } from '../helpers/testEnv.ts';

describe('edumon rules', () => {
  const t = testEnv('rules-cli');
  afterAll(() => rmSync(t.dir, { recursive: true, force: true }));

  it('--help shows both sub-commands and says --dry-run changes no alert state', async () => {
    const r = await runEdumon(['rules', '--help'], t.env);
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toMatch(/^usage: edumon rules list \| rules run \[--rule ID\] \[--at TIMESTAMP\] \[--json\] \[--dry-run\]/);
    expect(r.stdout).toMatch(/unless --dry-run is given, which changes no alert state/);
    expect(r.stdout).toContain('--warehouse PATH');
  });

  it('list prints every rule with severity, cadence, parameters, title and what its results say', async () => {
    const r = await runEdumon(['rules', 'list', '--json'], t.env);
    expect(r.code, r.output).toBe(0);
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, string>);
    expect(rows).toHaveLength(29);
    expect(rows.find((x) => x.rule === 'ADM-CLASS-SIZE')).toEqual({
      rule: 'ADM-CLASS-SIZE',
      severity: 'warning',
      cadence: 'daily',
      params: 'max_class_size',
      title: '大班额 / Oversized grade-1 high-school class',
      says: '班额（人），超过；对象：班级 {}',
    });
    // A rule without numbers: its subject alone.
    expect(rows.find((x) => x.rule === 'ADM-CROSS-REGION')?.says).toBe('对象：学生（化名 {short}）');
    const table = await runEdumon(['rules', 'list'], t.env);
    expect(table.stdout).toMatch(/^KG-FACILITY .*│ \S+（平方米\/生），低于；对象：办园条件 \{\}$/m);
  });

  it('refuses an unknown sub-command, an unknown rule and a bad timestamp with exit 2', async () => {
    for (const args of [['rules'], ['rules', 'frob'], ['rules', 'run', '--rule', 'NOPE'], ['rules', 'run', '--at', 'yesterday-ish']]) {
      const r = await runEdumon(args, t.env);
      expect(r.code, `${args.join(' ')}: ${r.output}`).toBe(2);
      expect(r.stderr).toMatch(/^edumon: /);
    }
  });

  it('says how to create the warehouse when there is none', async () => {
    const r = await runEdumon(['rules', 'run', '--at', '2025-12-31T23:59:59+08:00'], t.env);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/does not exist yet: run `edumon migrate`/);
  });

  it('says which rules their feeds held back, to when and by which feed, and which feeds hold nothing', async () => {
    // The last admissions occurred on 12 July at 10:00: the admission platform's allowed lateness is 0,
    // so its feed is complete to 10:00. An applied run judges as of the feeds' watermarks.
    await storeWorld(t.config.warehouse, overQuota());
    const r = await runEdumon(['rules', 'run', '--rule', 'ADM-OVER-QUOTA', '--at', '2025-12-31T23:59:59+08:00'], t.env);
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toContain('(1 row)');
    expect(r.stderr).toContain(`edumon: judged as of 2025-07-12T10:00:00+08:00, held back by the admission feed's watermark: ADM-OVER-QUOTA`);
    expect(r.stderr).toContain("edumon: note: an applied run judges as of its feeds' watermarks, as the scheduler does; --dry-run answers as of --at");
    // Replaying a moment before the watermark judges that moment.
    const replay = await runEdumon(['rules', 'run', '--json', '--rule', 'ADM-OVER-QUOTA', '--at', '2025-07-11T00:00:00+08:00'], t.env);
    expect(JSON.parse(replay.stderr.split('\n')[1]!)).toMatchObject({ effective_as_of: '2025-07-11T00:00:00+08:00', held_by: null });
  });

  it('answers a dry run as of the moment asked once every event published is stored, naming the feeds with nothing near it', async () => {
    // The world of the previous test: nothing was published to this test's topics, so all of it is stored.
    const r = await runEdumon(['rules', 'run', '--dry-run', '--rule', 'ADM-OVER-QUOTA', '--at', '2025-12-31T23:59:59+08:00'], t.env);
    expect(r.code, r.output).toBe(0);
    expect(r.stderr).toContain('edumon: every event published is stored: each rule judged as of 2025-12-31T23:59:59+08:00, as asked');
    expect(r.stderr).toContain("edumon: the admission feed's last event is 2025-07-12T10:00:00+08:00, 172.6 day(s) before: ADM-OVER-QUOTA");
    const json = await runEdumon(['rules', 'run', '--dry-run', '--json', '--rule', 'WAGE-MISSING', '--at', '2025-12-31T23:59:59+08:00'], t.env);
    expect(json.code, json.output).toBe(0);
    expect(JSON.parse(json.stderr.split('\n')[1]!)).toEqual({
      rule: 'WAGE-MISSING',
      effective_as_of: '2025-12-31T23:59:59+08:00',
      held_by: null,
      // Payroll holds nothing; the registry's last version (its schools) is a year before.
      empty_feeds: ['payroll'],
      quiet_feeds: [{ feed: 'registry', last_event_at: '2025-01-01T00:10:00+08:00' }],
    });
  });
});

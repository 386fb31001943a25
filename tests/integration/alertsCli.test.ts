/** `edumon alerts` on a stopped warehouse: list with its filters, ack, silence, and their usage errors. */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HS, overQuotaThenCancelled, storeWorld } from '../helpers/alertWorld.ts';
import { csvLines, listAlerts, runEdumon } from '../helpers/cli.ts';
import { testEnv } from '../helpers/testEnv.ts';

describe('edumon alerts', () => {
  const t = testEnv('alerts-cli');
  afterAll(() => rmSync(t.dir, { recursive: true, force: true }));
  const list = (...args: string[]) => listAlerts(t.env, ...args);

  beforeAll(async () => {
    await storeWorld(t.config.warehouse, overQuotaThenCancelled());
    const r = await runEdumon(['rules', 'run', '--rule', 'ADM-OVER-QUOTA', '--at', '2025-07-13T00:00:00+08:00'], t.env);
    expect(r.code, r.output).toBe(0);
  });

  it('lists the open ADM-OVER-QUOTA alert, and filters by state, region and rule', async () => {
    const all = await list();
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({
      rule: 'ADM-OVER-QUOTA',
      severity: 'critical',
      status: 'open',
      school_id: HS,
      region_code: '410821',
      period: '2025',
      subject: null,
      observed: '3',
      threshold: '2',
      opened_at: '2025-07-13T00:00:00+08:00',
      acked_at: null,
      silenced: false,
    });
    expect(await list('--state', 'open', '--region', '410821', '--rule', 'ADM-OVER-QUOTA')).toHaveLength(1);
    expect(await list('--state', 'resolved')).toEqual([]);
    expect(await list('--region', '410802')).toEqual([]);
    expect(await list('--rule', 'ADM-DUPLICATE')).toEqual([]);
  });

  it("says each alert's result in words in the table, the unit included; --json keeps the fields as they are", async () => {
    const r = await runEdumon(['alerts', 'list'], t.env);
    expect(r.code, r.output).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/│ 结果 result$/);
    expect(r.stdout).toContain('净录取人数 3 人，超过招生计划 2 人');
    expect(Object.keys((await list())[0]!)).not.toContain('结果 result');
  });

  it('acknowledges an alert with a note; an unknown id is a usage error', async () => {
    const [alert] = await list();
    const r = await runEdumon(['alerts', 'ack', String(alert!.id), '--note', '教育局已核实'], t.env);
    expect(r.code, r.output).toBe(0);
    expect((await list())[0]).toMatchObject({ id: alert!.id, ack_note: '教育局已核实' });
    expect((await list())[0]!.acked_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    const bad = await runEdumon(['alerts', 'ack', 'no-such-alert'], t.env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/no alert 'no-such-alert'/);
  });

  it('silences a rule for a region until a moment; the listed alert shows it', async () => {
    const r = await runEdumon(
      [
        'alerts',
        'silence',
        '--rule',
        'ADM-OVER-QUOTA',
        '--region',
        '410821',
        '--until',
        '2099-01-01T00:00:00+08:00',
        '--reason',
        'plan amendment pending',
        '--json',
      ],
      t.env,
    );
    expect(r.code, r.output).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ rule: 'ADM-OVER-QUOTA', school_id: null, region_code: '410821', until: '2099-01-01T00:00:00+08:00' });
    expect((await list())[0]).toMatchObject({ silenced: true });
  });

  it('refuses incomplete or contradictory requests with exit 2', async () => {
    for (const args of [
      ['alerts'],
      ['alerts', 'ack'],
      ['alerts', 'list', '--state', 'closed'],
      ['alerts', 'silence', '--rule', 'ADM-OVER-QUOTA', '--until', '2099-01-01T00:00:00Z'],
      ['alerts', 'silence', '--rule', 'ADM-OVER-QUOTA', '--school', HS, '--region', '410821', '--until', '2099-01-01T00:00:00Z', '--reason', 'x'],
      ['alerts', 'silence', '--rule', 'ADM-OVER-QUOTA', '--until', 'someday', '--reason', 'x'],
      ['alerts', 'silence', '--rule', 'ADM-OVER-QUOTA', '--until', '2099-02-30T00:00:00', '--reason', 'x'],
    ]) {
      const r = await runEdumon(args, t.env);
      expect(r.code, `${args.join(' ')}: ${r.output}`).toBe(2);
      expect(r.stderr).toMatch(/^edumon: /);
    }
  });

  it('refuses a rule that does not exist, naming the closest one and the catalogue, and stores no silence', async () => {
    const r = await runEdumon(['alerts', 'silence', '--rule', 'ADM-OVER-QOUTA', '--until', '2099-01-01T00:00:00+08:00', '--reason', 'typo'], t.env);
    expect(r.code, r.output).toBe(2);
    expect(r.stderr).toMatch(/^edumon: unknown rule 'ADM-OVER-QOUTA'; did you mean 'ADM-OVER-QUOTA'\? \(known: ADM-CLASS-SIZE, /);
    const none = await runEdumon(['alerts', 'silence', '--rule', 'NO-SUCH-RULE', '--until', '2099-01-01T00:00:00+08:00', '--reason', 'x'], t.env);
    expect(none.code, none.output).toBe(2);
    expect(none.stderr).toMatch(/unknown rule 'NO-SUCH-RULE'.*known: .*WAGE-SHORT/);
    const q = await runEdumon(['query', '-f', 'csv', `select count(*) as n from silences where rule in ('ADM-OVER-QOUTA', 'NO-SUCH-RULE')`], t.env);
    expect(csvLines(q.stdout)).toEqual(['n', '0']);
  });

  it('reads --until without an offset as Asia/Shanghai: stored and echoed as the same +08:00 moment', async () => {
    const r = await runEdumon(['alerts', 'silence', '--rule', 'ADM-DUPLICATE', '--until', '2099-08-31T12:00:00', '--reason', 'no offset', '--json'], t.env);
    expect(r.code, r.output).toBe(0);
    const echoed = JSON.parse(r.stdout) as { id: string; until: string };
    expect(echoed.until).toBe('2099-08-31T12:00:00+08:00');
    const q = await runEdumon(['query', '-f', 'csv', `select until, epoch(until) as s from silences where id = '${echoed.id}'`], t.env);
    expect(csvLines(q.stdout)).toEqual(['until,s', `2099-08-31 12:00:00+08:00,${Date.parse('2099-08-31T04:00:00Z') / 1000}`]);
  });

  it('lists alerts identically, in +08:00, whatever the host time zone', async () => {
    const as = async (TZ: string) => {
      const r = await runEdumon(['alerts', 'list'], { ...t.env, TZ });
      expect(r.code, r.output).toBe(0);
      return r.stdout;
    };
    const utc = await as('UTC');
    expect(utc).toContain('2025-07-13T00:00:00+08:00');
    expect(utc).not.toMatch(/\d\dZ\b/);
    expect(await as('Asia/Tokyo')).toBe(utc);
    expect(await as('America/New_York')).toBe(utc);
  });
});

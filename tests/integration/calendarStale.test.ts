/**
 * Issue 21, failing input 5: chinese-days 1.5.7 has no 2027, and `edumon run`, which runs
 * unattended, said nothing 3.5 weeks before the gap. Now, on 2026-12-07 (the service's controlled
 * clock), the real `edumon run` logs the gap and opens DQ-CALENDAR-STALE naming 2027-01-01 and
 * notify.calendarOverrides, mailed to the data team (a real in-process SMTP server) and to no county
 * or city official; once the operator copies 2027's notice into calendarOverrides and restarts,
 * it resolves and the data team is told so.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAlerts, type Running, spawnEdumon, waitFor } from '../helpers/cli.ts';
import { catcherNotify, type SmtpCatcher, startSmtpCatcher } from '../helpers/smtpCatcher.ts';
import { testEnv } from '../helpers/testEnv.ts';

const DATA = 'data@jyj.example.cn';
/** 2027's 春节 as an operator would copy it from the notice (illustrative dates: 正月初一 is 6 February 2027). */
const SPRING_2027 = [5, 6, 7, 8, 9, 10, 11, 12].map((d) => ({ date: `2027-02-${String(d).padStart(2, '0')}`, kind: 'holiday', name: '春节' }));

describe('a holiday calendar that runs out (DQ-CALENDAR-STALE)', () => {
  const t = testEnv('calendar-stale');
  const configFile = join(t.dir, 'config.json');
  let catcher: SmtpCatcher;
  let proc: Running | undefined;

  const writeConfig = (calendarOverrides: object[]) =>
    writeFileSync(
      configFile,
      JSON.stringify({
        notify: {
          ...catcherNotify(catcher),
          contacts: {
            '410823': [{ id: 'wuzhi', name: '武陟县教育局', email: 'wuzhi@jyj.example.cn' }],
            '410800': [{ id: 'city', name: '焦作市教育局', email: 'city@jyj.example.cn' }],
          },
          dataTeam: [{ id: 'data', name: '数据组', email: DATA }],
          calendarOverrides,
        },
      }),
    );
  /** `edumon run` with the clock at `at` (before the wall clock, so the emails it writes are due at once). */
  const start = async (at: string) => {
    proc = spawnEdumon(['run'], { ...t.env, EDUMON_CONFIG: configFile, EDUMON_FAILPOINT_CLOCK: `at=${at}` });
    await waitFor(() => proc!.output().includes('pipeline running'), 60_000, 'the service to start');
    return proc;
  };
  const stop = async () => {
    if (proc && proc.child.exitCode === null && proc.child.signalCode === null) {
      proc.child.kill('SIGTERM');
      expect(await proc.exited, proc.output()).toBe(0);
    }
  };
  const stale = () => listAlerts({ ...t.env, EDUMON_CONFIG: configFile }, '--rule', 'DQ-CALENDAR-STALE');

  beforeAll(async () => {
    catcher = await startSmtpCatcher();
  });
  afterAll(async () => {
    await stop();
    await catcher.stop();
    rmSync(t.dir, { recursive: true, force: true });
  });

  it('opens on 2026-12-07 naming 2027-01-01 and calendarOverrides, mails the data team only, and resolves once 2027 is filled in', {
    timeout: 240_000,
  }, async () => {
    writeConfig([]);
    const first = await start('2026-12-07T08:00:00+08:00');
    // Logged at start, Chinese first, with the day and the key.
    await waitFor(() => first.output().includes('节假日日历未覆盖未来 60 天'), 60_000, 'the calendar warning');
    const warning = first
      .output()
      .split('\n')
      .find((l) => l.includes('节假日日历未覆盖未来 60 天'))!;
    expect(warning).toContain('first_uncovered_day=2027-01-01');
    expect(warning).toContain('config_key=notify.calendarOverrides');

    // The alert, routed to the data team: its email names the day and the key to fill.
    await waitFor(() => catcher.accepted.some((m) => m.to.includes(DATA)), 60_000, 'the data team’s email');
    await stop();
    const [opened] = await stale();
    expect(opened).toMatchObject({
      rule: 'DQ-CALENDAR-STALE',
      severity: 'warning',
      status: 'open',
      school_id: null,
      region_code: null,
      period: '2027-01-01',
      subject: 'notify.calendarOverrides',
      observed: '25',
      threshold: '60',
    });
    const [mail] = catcher.accepted;
    expect(catcher.accepted).toHaveLength(1);
    expect(mail!.to).toEqual([DATA]);
    expect(mail!.subject).toContain('【警告】');
    expect(mail!.subject).toContain('节假日日历未覆盖');
    for (const shown of ['DQ-CALENDAR-STALE', '2027-01-01', 'notify.calendarOverrides']) expect(mail!.text).toContain(shown);

    // The operator copies 2027's notice into calendarOverrides and restarts: resolved, and said so.
    writeConfig(SPRING_2027);
    const second = await start('2026-12-07T09:00:00+08:00');
    await waitFor(async () => (await stale()).some((a) => a.status === 'resolved'), 60_000, 'DQ-CALENDAR-STALE to resolve');
    await waitFor(() => catcher.accepted.length === 2, 60_000, 'the resolved notice');
    expect(second.output()).toContain('节假日日历已覆盖未来 60 天');
    expect(second.output()).not.toContain('节假日日历未覆盖未来 60 天');
    await stop();
    expect(await stale()).toEqual([expect.objectContaining({ id: opened!.id, status: 'resolved' })]);
    const resolved = catcher.accepted[1]!;
    expect(resolved.to).toEqual([DATA]);
    expect(resolved.subject).toContain('【已恢复】');
    // One copy of each email, and no county or city official heard of it.
    expect([...catcher.acceptedCounts().values()]).toEqual([1, 1]);
    expect(catcher.rcpts.every((r) => r === DATA)).toBe(true);
  });
});

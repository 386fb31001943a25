/** `edumon notify check`, the real CLI on a config file: who each region's alerts reach, the mute, and a bad config named key by key. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { NotifyCheck } from '../../alerts/notify/notifyCheck.ts';
import { runEdumon } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'edumon-notify-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configFile(name: string, notify: unknown): Record<string, string> {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify({ notify }));
  return { EDUMON_ENV: 'test', EDUMON_CONFIG: file };
}

const good = configFile('good.json', {
  contacts: {
    '410825': [
      { id: 'wen', name: '温县教育局', email: 'wen@example.cn' },
      { id: 'wen-chief', name: '温县局长', email: 'chief@example.cn', minSeverity: 'critical' },
    ],
    '410823': [{ id: 'wuzhi', name: '武陟县教育局', email: 'wuzhi@example.cn' }],
    '410800': [{ id: 'city', name: '焦作市教育局', email: 'city@example.cn', minSeverity: 'warning', language: 'en' }],
  },
  dataTeam: [{ id: 'data', name: '数据组', email: 'data@example.cn' }],
  escalation: [
    { id: 'esc-city', name: '市局督导', email: 'esc@example.cn' },
    { id: 'esc-wuzhi', name: '武陟督导', email: 'escw@example.cn', region: '410823' },
  ],
  muteWindows: [{ from: '22:00', to: '07:00' }],
});

describe('edumon notify check', () => {
  it('routes a 温县 critical alert to 温县 and the city, never to 武陟县; DQ-* to the data team', async () => {
    const r = await runEdumon(['notify', 'check', '--json', '--at', '2026-02-16T10:00:00+08:00'], good);
    expect(r.code, r.output).toBe(0);
    const report = JSON.parse(r.stdout) as NotifyCheck;
    expect(report.regions.map((g) => g.code)).toEqual([
      '410800',
      '410802',
      '410803',
      '410804',
      '410811',
      '410871',
      '410821',
      '410822',
      '410823',
      '410825',
      '410882',
      '410883',
    ]);
    const wen = report.regions.find((g) => g.code === '410825')!;
    const critical = wen.severities.find((s) => s.severity === 'critical')!;
    expect(critical.recipients).toEqual([
      { id: 'wen', name: '温县教育局', email: 'wen@example.cn', language: 'zh-CN', scopeRegion: '410825', scopeName: '温县' },
      { id: 'wen-chief', name: '温县局长', email: 'chief@example.cn', language: 'zh-CN', scopeRegion: '410825', scopeName: '温县' },
      { id: 'city', name: '焦作市教育局', email: 'city@example.cn', language: 'en', scopeRegion: '410800', scopeName: '焦作市' },
    ]);
    expect(critical.escalation.map((c) => c.id)).toEqual(['esc-city']);
    expect(wen.severities.find((s) => s.severity === 'info')!.recipients.map((c) => c.id)).toEqual(['wen']);
    const wuzhi = report.regions.find((g) => g.code === '410823')!.severities.find((s) => s.severity === 'critical')!;
    expect(wuzhi.recipients.map((c) => c.id)).toEqual(['wuzhi', 'city']);
    expect(wuzhi.escalation.map((c) => c.id)).toEqual(['esc-city', 'esc-wuzhi']);
    expect(report.dataTeam.map((s) => s.recipients.map((c) => c.id))).toEqual([['data'], ['data'], ['data']]);
  });

  it('shows the mute: the night window, 春节 2026 held until 24 February 07:00, the next holidays', async () => {
    const r = await runEdumon(['notify', 'check', '--json', '--at', '2026-02-16T10:00:00+08:00'], good);
    const { mute } = JSON.parse(r.stdout) as NotifyCheck;
    expect(mute.windows).toEqual([{ from: '22:00', to: '07:00' }]);
    expect(mute.holidays).toBe(true);
    expect(mute.now).toEqual({ until: '2026-02-23T23:00:00.000Z', reason: '法定节假日：春节；静默时段 22:00–07:00' });
    expect(mute.upcoming).toEqual([
      { name: '春节', from: '2026-02-15', to: '2026-02-23', days: 9 },
      { name: '清明节', from: '2026-04-04', to: '2026-04-06', days: 3 },
      { name: '劳动节', from: '2026-05-01', to: '2026-05-05', days: 5 },
    ]);
    // The 调休 Saturday before 春节 is a workday: notices go out.
    const workday = await runEdumon(['notify', 'check', '--json', '--at', '2026-02-14T10:00:00+08:00'], good);
    expect((JSON.parse(workday.stdout) as NotifyCheck).mute.now).toBeNull();
  });

  it('mutes 元旦 2027 though the holiday package has no 2027, and names the first uncovered day 25 days ahead', async () => {
    const newYear = await runEdumon(['notify', 'check', '--at', '2027-01-01T10:00+08:00'], good);
    expect(newYear.code, newYear.output).toBe(0);
    expect(newYear.stdout).toContain('  当前 now: 静默至 held until 2027-01-02T07:00:00+08:00（法定节假日：元旦；静默时段 22:00–07:00）');
    expect(newYear.stdout).not.toContain('可发送');

    const december = await runEdumon(['notify', 'check', '--json', '--at', '2026-12-07T10:00:00+08:00'], good);
    const { mute } = JSON.parse(december.stdout) as NotifyCheck;
    expect(mute.calendar).toEqual({
      source: 'chinese-days 1.5.7',
      horizonDays: 60,
      gap: { firstUncoveredDay: '2027-01-01', daysAhead: 25 },
      configKey: 'notify.calendarOverrides',
      knownWithoutNotice: ['元旦', '劳动节', '国庆节'],
    });
    expect(mute.upcoming[0]).toEqual({ name: '元旦', from: '2027-01-01', to: '2027-01-01', days: 1 });
    const text = await runEdumon(['notify', 'check', '--at', '2026-12-07T10:00:00+08:00'], good);
    expect(text.stdout).toContain('  注意 note: 节假日日历（chinese-days 1.5.7、notify.calendarOverrides）未覆盖 2027-01-01 起的日子（25 天后）');
    // In February 2026 the calendar covers the next 60 days: nothing to say.
    const covered = await runEdumon(['notify', 'check', '--json', '--at', '2026-02-16T10:00:00+08:00'], good);
    expect((JSON.parse(covered.stdout) as NotifyCheck).mute.calendar.gap).toBeNull();
  });

  it('prints the report with Chinese headings first, times in Asia/Shanghai', async () => {
    const r = await runEdumon(['notify', 'check', '--at', '2026-02-16T10:00:00+08:00'], good);
    expect(r.code, r.output).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('通知检查 Notification check — 2026-02-16T10:00:00+08:00');
    const wen = lines.indexOf('温县 410825');
    expect(lines.slice(wen + 1, wen + 5)).toEqual([
      '  严重 critical:',
      '    wen  温县教育局 <wen@example.cn>  zh-CN  （温县）',
      '    wen-chief  温县局长 <chief@example.cn>  zh-CN  （温县）',
      '    city  焦作市教育局 <city@example.cn>  en  （焦作市）',
    ]);
    expect(r.stdout).toContain('数据组 Data team');
    expect(r.stdout).toContain('  静默时段 windows: 22:00–07:00');
    expect(r.stdout).toContain('    春节  2026-02-15 至 2026-02-23（9 天）');
    expect(r.stdout).toContain('  当前 now: 静默至 held until 2026-02-24T07:00:00+08:00（法定节假日：春节；静默时段 22:00–07:00）');
  });

  it('refuses a bad config with exit 2, naming every problem by key', async () => {
    const bad = configFile('bad.json', {
      contacts: {
        '410899': [{ id: 'x', name: 'X', email: 'x@example.cn' }],
        '410825': [{ id: 'wen', name: '温县教育局', email: 'not-an-address' }],
        '410823': [{ id: 'x', name: 'Y', email: 'y@example.cn' }],
      },
    });
    const r = await runEdumon(['notify', 'check'], bad);
    expect(r.code, r.output).toBe(2);
    expect(r.stdout).toBe('');
    const file = bad.EDUMON_CONFIG!;
    // Region-code keys iterate in numeric order (JavaScript orders integer-like keys): 410823 is met before 410899.
    expect(r.stderr.trim().split('\n')).toEqual([
      'edumon: invalid configuration:',
      `  - ${file}: notify.contacts.410825.0.email: not an email address: 'not-an-address' has no @`,
      `  - ${file}: notify.contacts.410899: not a Jiaozuo region code (410800 for the city, or a district’s or county’s)`,
      `  - ${file}: notify.contacts.410899.0.id: contact id 'x' is already used at notify.contacts.410823.0.id for another address`,
    ]);
  });

  it('rejects an unknown sub-command and an unreadable --at with exit 2', async () => {
    const sub = await runEdumon(['notify', 'frobnicate'], good);
    expect(sub.code).toBe(2);
    expect(sub.stderr).toContain("notify: expected 'list', 'retry', 'preview', 'test', 'check'");
    const at = await runEdumon(['notify', 'check', '--at', '2026-02-30'], good);
    expect(at.code).toBe(2);
    expect(at.stderr).toContain("--at '2026-02-30' is not a time");
  });
});

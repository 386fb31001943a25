import { describe, expect, it } from 'vitest';
import { muteWindowEnd } from '../../core/muteWindowEnd.ts';
import { formatShanghai, fromShanghaiWall, parseShanghaiTime, shanghaiDate, shanghaiWall, timeOption } from '../../core/shanghai.ts';

describe('parseShanghaiTime', () => {
  it('reads a time without an offset as Asia/Shanghai wall-clock time', () => {
    expect(parseShanghaiTime('2099-08-31T12:00:00')?.toISOString()).toBe('2099-08-31T04:00:00.000Z');
    expect(parseShanghaiTime('2099-08-31 12:00')?.toISOString()).toBe('2099-08-31T04:00:00.000Z');
    expect(parseShanghaiTime('2099-08-31')?.toISOString()).toBe('2099-08-30T16:00:00.000Z');
  });
  it('honours Z and explicit offsets', () => {
    expect(parseShanghaiTime('2099-08-31T12:00:00Z')?.toISOString()).toBe('2099-08-31T12:00:00.000Z');
    expect(parseShanghaiTime('2099-08-31T12:00:00+09:00')?.toISOString()).toBe('2099-08-31T03:00:00.000Z');
    expect(parseShanghaiTime('2099-08-31T12:00:00.250-0400')?.toISOString()).toBe('2099-08-31T16:00:00.250Z');
  });
  it('refuses what is no time, including dates that do not exist', () => {
    for (const t of ['someday', '2099-02-30T00:00:00', '2099-08-31T24:00:00', '2099-13-01', '31/08/2099', '']) expect(parseShanghaiTime(t)).toBeUndefined();
    expect(() => timeOption('--until', 'someday')).toThrow(/--until 'someday' is not a time/);
  });
});

describe('formatShanghai', () => {
  it('prints a moment in +08:00 whatever the host zone', () => {
    expect(formatShanghai('2099-08-31T04:00:00Z')).toBe('2099-08-31T12:00:00+08:00');
    expect(formatShanghai(Date.parse('2025-12-31T16:00:00.5Z'))).toBe('2026-01-01T00:00:00.500+08:00');
    expect(formatShanghai(parseShanghaiTime('2099-08-31T12:00:00')!)).toBe('2099-08-31T12:00:00+08:00');
  });
});

describe('shanghaiDate and the wall clock', () => {
  it('gives the Shanghai calendar date, which begins at 16:00 UTC the day before', () => {
    expect(shanghaiDate('2025-12-31T15:59:59.999Z')).toBe('2025-12-31');
    expect(shanghaiDate(Date.parse('2025-12-31T16:00:00Z'))).toBe('2026-01-01');
    expect(shanghaiDate(new Date('2026-01-01T00:30:00+08:00'))).toBe('2026-01-01');
  });
  it('reads Shanghai wall-clock fields from shanghaiWall, and fromShanghaiWall undoes it', () => {
    expect(shanghaiWall('2025-07-01T00:00:00+08:00').toISOString()).toBe('2025-07-01T00:00:00.000Z');
    expect(new Date(fromShanghaiWall(Date.UTC(2025, 6, 1))).toISOString()).toBe('2025-06-30T16:00:00.000Z');
  });
});

describe('muteWindowEnd', () => {
  it('mutes from the start inclusive to the end exclusive, wrapping midnight when from > to', () => {
    const day = { from: 12 * 60, to: 13 * 60 };
    expect([muteWindowEnd(day, 719), muteWindowEnd(day, 720), muteWindowEnd(day, 779.5), muteWindowEnd(day, 780)]).toEqual([null, 780, 780, null]);
    const night = { from: 22 * 60, to: 7 * 60 };
    expect([muteWindowEnd(night, 23 * 60), muteWindowEnd(night, 60), muteWindowEnd(night, 7 * 60), muteWindowEnd(night, 21 * 60)]).toEqual([
      1440 + 420,
      420,
      null,
      null,
    ]);
  });
});

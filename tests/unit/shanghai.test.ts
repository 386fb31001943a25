import { describe, expect, it } from 'vitest';
import { formatShanghai, parseShanghaiTime, timeOption } from '../../core/shanghai.ts';

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

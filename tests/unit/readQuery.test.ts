import { describe, expect, it } from 'vitest';
import { shanghaiTime } from '../../pipeline/readQuery.ts';

describe('shanghaiTime', () => {
  it("renders a UTC TIMESTAMPTZ in Shanghai time: '2025-10-10 16:30:00+00' -> '2025-10-11 00:30:00+08'", () => {
    expect(shanghaiTime('2025-10-10 16:30:00+00')).toBe('2025-10-11 00:30:00+08');
  });
  it('keeps fractional seconds and crosses a year boundary', () => {
    expect(shanghaiTime('2025-12-31 16:00:00.123456+00')).toBe('2026-01-01 00:00:00.123456+08');
  });
  it('shifts within the day', () => {
    expect(shanghaiTime('2025-07-10 01:00:00+00')).toBe('2025-07-10 09:00:00+08');
  });
  it('leaves other values alone', () => {
    for (const v of ['2025-10-10', '2025-10-10 16:30:00+08', 'text', 5, null, undefined]) expect(shanghaiTime(v)).toBe(v);
  });
});

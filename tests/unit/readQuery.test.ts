import { describe, expect, it } from 'vitest';
import { shanghaiTime } from '../../pipeline/readQuery.ts';

describe('shanghaiTime', () => {
  it("renders a UTC TIMESTAMPTZ in Shanghai time: '2025-10-10 16:30:00+00' -> '2025-10-11 00:30:00+08:00'", () => {
    expect(shanghaiTime('2025-10-10 16:30:00+00')).toBe('2025-10-11 00:30:00+08:00');
  });
  it('keeps fractional seconds and crosses a year boundary', () => {
    expect(shanghaiTime('2025-12-31 16:00:00.123456+00')).toBe('2026-01-01 00:00:00.123456+08:00');
  });
  it('shifts within the day', () => {
    expect(shanghaiTime('2025-07-10 01:00:00+00')).toBe('2025-07-10 09:00:00+08:00');
  });
  it('reads whatever zone the client rendered in (the host TZ): +09 Tokyo, -04 New York, +05:30', () => {
    expect(shanghaiTime('2025-07-10 10:00:00+09')).toBe('2025-07-10 09:00:00+08:00');
    expect(shanghaiTime('2025-07-09 21:00:00-04')).toBe('2025-07-10 09:00:00+08:00');
    expect(shanghaiTime('2025-07-10 06:30:00+05:30')).toBe('2025-07-10 09:00:00+08:00');
    expect(shanghaiTime('2025-10-10 16:30:00+08')).toBe('2025-10-10 16:30:00+08:00');
  });
  it('leaves other values alone', () => {
    for (const v of ['2025-10-10', '2025-10-10 16:30:00', 'infinity', 'text', 5, null, undefined]) expect(shanghaiTime(v)).toBe(v);
  });
});

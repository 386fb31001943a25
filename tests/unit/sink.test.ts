import { describe, expect, it } from 'vitest';
import { isoToMicros } from '../../pipeline/sink.ts';

describe('isoToMicros', () => {
  it("honours offsets: '2025-07-02T09:13:00+08:00' equals '2025-07-02T01:13:00Z'", () => {
    expect(isoToMicros('2025-07-02T09:13:00+08:00')).toBe(isoToMicros('2025-07-02T01:13:00Z'));
    expect(isoToMicros('2025-07-02T01:13:00Z')).toBe(BigInt(Date.UTC(2025, 6, 2, 1, 13)) * 1000n);
  });
  it('honours negative offsets', () => {
    expect(isoToMicros('2025-07-01T20:13:00-05:00')).toBe(isoToMicros('2025-07-02T01:13:00Z'));
  });
  it('keeps microseconds', () => {
    const base = isoToMicros('2025-07-02T01:13:00Z');
    expect(isoToMicros('2025-07-02T01:13:00.123456Z') - base).toBe(123456n);
    expect(isoToMicros('2025-07-02T01:13:00.5+00:00') - base).toBe(500000n);
    expect(isoToMicros('2025-07-02T01:13:00.9999Z') - base).toBe(999900n);
  });
  it('handles instants before 1970', () => {
    expect(isoToMicros('1969-12-31T23:59:59.999500Z')).toBe(-500n);
  });
});

/** The controlled clock of tests (failpoints.clock): a start, a rate, and jumps written into a file. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clockOf, wallClock } from '../../core/clock.ts';

const T0 = Date.parse('2025-07-14T10:00:00+08:00');

describe('clockOf', () => {
  let dir: string;
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.parse('2026-12-07T00:00:00Z') });
    dir = mkdtempSync(join(tmpdir(), 'edumon-clock-'));
  });
  afterEach(() => {
    vi.useRealTimers();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is the wall clock without a spec, and starts at `at` running `rate` times as fast with one', () => {
    expect(clockOf(undefined)).toBe(wallClock);
    const clock = clockOf('at=2025-07-14T10:00:00+08:00,rate=3600');
    expect(clock()).toBe(T0);
    vi.advanceTimersByTime(1000);
    expect(clock()).toBe(T0 + 3_600_000);
  });

  it('jumps forward to a moment written into its jumps file, runs on from there, and never goes back', () => {
    const file = join(dir, 'jump');
    const clock = clockOf(`at=2025-07-14T10:00:00+08:00,jumps=${file}`);
    vi.advanceTimersByTime(200);
    expect(clock()).toBe(T0 + 200); // no file yet: the plain clock
    writeFileSync(file, '2025-07-18T10:00:00+08:00\n');
    vi.advanceTimersByTime(200);
    const jumped = Date.parse('2025-07-18T10:00:00+08:00');
    expect(clock()).toBe(jumped);
    vi.advanceTimersByTime(1000);
    expect(clock()).toBe(jumped + 1000);
    // An earlier moment, or what is no time, leaves it where it is.
    writeFileSync(file, '2025-07-15T10:00:00+08:00');
    vi.advanceTimersByTime(200);
    expect(clock()).toBe(jumped + 1200);
    writeFileSync(file, 'tomorrow');
    vi.advanceTimersByTime(200);
    expect(clock()).toBe(jumped + 1400);
  });

  it('refuses a spec it cannot read', () => {
    expect(() => clockOf('at=someday')).toThrow(/expected at=<time>\[,rate=N\]\[,jumps=<file>\]/);
  });
});

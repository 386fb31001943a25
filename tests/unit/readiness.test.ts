import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.ts';
import { type HealthInputs, readiness } from '../../service/health.ts';

const limits = loadConfig({ env: {} }).health;
const NOW = Date.parse('2026-07-01T02:00:00Z');
/** A service with everything well: the broker heard a second ago, nothing behind, mail sent. */
const well: HealthInputs = {
  consumer: { brokerAnsweredAt: NOW - 1000, writeFailing: null, stopped: null },
  lag: 0,
  mail: { sending: true, lookedAt: NOW - 2000, dueSince: null },
  now: NOW,
};

describe('readiness (GET /readyz)', () => {
  it('is ready when the broker answers, writes succeed, nothing is behind and no email waits', () => {
    const r = readiness(well, limits);
    expect(r.ready).toBe(true);
    expect(Object.values(r.checks).every((c) => c.ok)).toBe(true);
  });

  it('names the broker once it has been silent past brokerSilentSeconds (15 s), and only it', () => {
    const r = readiness({ ...well, consumer: { ...well.consumer, brokerAnsweredAt: NOW - 16_000 } }, limits);
    expect(r.ready).toBe(false);
    expect(r.checks.broker).toEqual({ ok: false, detail: 'the broker has not answered for 16 s (limit 15 s)' });
    expect([r.checks.warehouse.ok, r.checks.ingestion.ok, r.checks.mail.ok]).toEqual([true, true, true]);
    expect(readiness({ ...well, consumer: { ...well.consumer, brokerAnsweredAt: NOW - 14_000 } }, limits).ready).toBe(true);
    expect(readiness({ ...well, consumer: { ...well.consumer, brokerAnsweredAt: null } }, limits).checks.broker.ok).toBe(false);
  });

  it('is not ready while warehouse writes fail or after ingestion stopped, saying why', () => {
    const failing = readiness({ ...well, consumer: { ...well.consumer, writeFailing: 'IO Error: No space left on device' } }, limits);
    expect(failing.checks.warehouse).toEqual({ ok: false, detail: 'warehouse writes fail and are being retried: IO Error: No space left on device' });
    const stopped = readiness({ ...well, consumer: { ...well.consumer, stopped: 'the consumer stopped: SASL failed' } }, limits);
    expect(stopped.ready).toBe(false);
    expect(stopped.checks.warehouse.detail).toBe('ingestion stopped: the consumer stopped: SASL failed');
  });

  it('is not ready while catching up more than maxIngestLag events (50,000)', () => {
    expect(readiness({ ...well, lag: 50_000 }, limits).ready).toBe(true);
    const behind = readiness({ ...well, lag: 50_001 }, limits);
    expect(behind.ready).toBe(false);
    expect(behind.checks.ingestion.detail).toBe('50001 events behind the topics (limit 50000)');
  });

  it('calls the mail sender stuck when an email due waits past mailStuckMinutes (30), or it stops looking', () => {
    const waiting = readiness({ ...well, mail: { ...well.mail, dueSince: NOW - 31 * 60_000 } }, limits);
    expect(waiting.checks.mail).toEqual({ ok: false, detail: 'an email due has waited 1860 s unsent (limit 1800 s)' });
    expect(readiness({ ...well, mail: { ...well.mail, dueSince: NOW - 29 * 60_000 } }, limits).ready).toBe(true);
    expect(readiness({ ...well, mail: { ...well.mail, lookedAt: NOW - 31 * 60_000 } }, limits).checks.mail.ok).toBe(false);
  });

  it('without an SMTP server, mail is not a reason to be unready: nothing is sent by choice', () => {
    const r = readiness({ ...well, mail: { sending: false, lookedAt: null, dueSince: null } }, limits);
    expect(r.ready).toBe(true);
    expect(r.checks.mail.detail).toMatch(/no SMTP server configured/);
  });
});

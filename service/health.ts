/**
 * Whether the service is ready (GET /readyz): the broker answers, the warehouse takes writes,
 * ingestion is caught up, the mail sender is not stuck. Each check says what it saw, so an IT
 * department's probe, or a person, learns which one failed and why, as Alertmanager's /-/ready and
 * Kafka Connect's health endpoints do.
 */
import type { Config } from '../core/config.ts';
import type { ConsumerHealth } from '../pipeline/consumer.ts';
import type { MailHealth } from './mailSender.ts';

/** One check: passed or not, and what it saw in a sentence. */
export interface Check {
  ok: boolean;
  detail: string;
}

/** GET /readyz's answer (HTTP 200 when `ready`, else 503). */
export interface Readiness {
  ready: boolean;
  checks: { broker: Check; warehouse: Check; ingestion: Check; mail: Check };
}

/** What readiness is judged from, as the running service sees it at `now` (epoch ms). */
export interface HealthInputs {
  consumer: ConsumerHealth;
  /** Events published and not yet stored (pipeline/consumer.ts lag). */
  lag: number;
  mail: MailHealth;
  now: number;
}

const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

/**
 * Judges readiness from `inputs` with the limits of config.health: the broker must have answered
 * within brokerSilentSeconds; no warehouse write may be failing and the consumer must run; the lag
 * must be at most maxIngestLag; an SMTP sender must have looked at the outbox, and let no email due
 * wait, longer than mailStuckMinutes. Pure: no I/O.
 */
export function readiness(inputs: HealthInputs, limits: Config['health']): Readiness {
  const { consumer, lag, mail, now } = inputs;
  const silentMs = limits.brokerSilentSeconds * 1000;
  const heard = consumer.brokerAnsweredAt;
  const broker: Check =
    heard === null
      ? { ok: false, detail: 'the broker has not answered yet' }
      : now - heard > silentMs
        ? { ok: false, detail: `the broker has not answered for ${seconds(now - heard)} (limit ${seconds(silentMs)})` }
        : { ok: true, detail: `the broker answered ${seconds(now - heard)} ago` };
  const warehouse: Check = consumer.stopped
    ? { ok: false, detail: `ingestion stopped: ${consumer.stopped}` }
    : consumer.writeFailing
      ? { ok: false, detail: `warehouse writes fail and are being retried: ${consumer.writeFailing}` }
      : { ok: true, detail: 'writes succeed' };
  const ingestion: Check =
    lag > limits.maxIngestLag
      ? { ok: false, detail: `${lag} events behind the topics (limit ${limits.maxIngestLag})` }
      : { ok: true, detail: `${lag} events behind the topics` };
  const stuckMs = limits.mailStuckMinutes * 60_000;
  const mailCheck: Check = !mail.sending
    ? { ok: true, detail: 'no SMTP server configured (notify.smtpUrl): emails stay in the outbox' }
    : mail.lookedAt !== null && now - mail.lookedAt > stuckMs
      ? { ok: false, detail: `the mail sender has not looked at the outbox for ${seconds(now - mail.lookedAt)}` }
      : mail.dueSince !== null && now - mail.dueSince > stuckMs
        ? { ok: false, detail: `an email due has waited ${seconds(now - mail.dueSince)} unsent (limit ${seconds(stuckMs)})` }
        : { ok: true, detail: mail.dueSince === null ? 'nothing overdue' : `the oldest email due has waited ${seconds(now - mail.dueSince)}` };
  const checks = { broker, warehouse, ingestion, mail: mailCheck };
  return { ready: Object.values(checks).every((c) => c.ok), checks };
}

/**
 * The mail sender's waits, as pure decisions kept out of the loop that sends (Alertmanager's
 * RetryStage): per email (its next attempt, in the outbox), per recipient domain (what the server
 * said about it: a 4xx, a command left unanswered) and for the server as a whole (no greeting at
 * all: nothing else could get through either). Each doubles from notify.retryInitialMs up to
 * notify.retryMaxMs while it lasts and is forgotten at the next success.
 */
import type { SendResult } from '../alerts/notify/smtp.ts';
import type { Config } from '../core/config.ts';

type Settings = Pick<Config['notify'], 'retryInitialMs' | 'retryMaxMs'>;

/** The wait before attempt n+1 after n attempts (n >= 1): retryInitialMs doubling, at most retryMaxMs. */
export function backoffMs(attempts: number, notify: Settings): number {
  return Math.min(notify.retryMaxMs, notify.retryInitialMs * 2 ** Math.max(0, Math.min(attempts - 1, 30)));
}

/** The recipient domain of an address, lower-cased (`x@163.com` -> `163.com`). */
export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

/** Failures in a row, and until when (epoch ms) they hold what they are about. */
interface Streak {
  failures: number;
  until: number;
}

/** The sender's domain and server waits (in memory: a restart tries at once). */
export interface DeliveryBackoff {
  /** Records what an attempt to `address` came to. */
  record(address: string, result: Pick<SendResult, 'outcome' | 'code' | 'stage'>): void;
  /** How long the server as a whole is waited for (0: not). */
  serverWaitMs(): number;
  /** How long emails to the domain of `address` wait (0: not). */
  domainWaitMs(address: string): number;
  /** The shortest wait of a domain still waiting, or `otherwise` when none is. */
  nextDomainWaitMs(otherwise: number): number;
}

/** A backoff state for one sender; `now` is the clock (epoch ms). */
export function createDeliveryBackoff(notify: Settings, now: () => number = Date.now): DeliveryBackoff {
  let server: Streak = { failures: 0, until: 0 };
  const domains = new Map<string, Streak>();
  const bump = (s: Streak | undefined): Streak => {
    const failures = (s?.failures ?? 0) + 1;
    return { failures, until: now() + backoffMs(failures, notify) };
  };
  return {
    record(address, result) {
      const domain = domainOf(address);
      if (result.outcome === 'retry' && result.stage === 'connect') {
        server = bump(server);
        return;
      }
      server = { failures: 0, until: 0 };
      if (result.outcome === 'retry') domains.set(domain, bump(domains.get(domain)));
      else if (result.outcome === 'sent') domains.delete(domain);
    },
    serverWaitMs: () => Math.max(0, server.until - now()),
    domainWaitMs: (address) => Math.max(0, (domains.get(domainOf(address))?.until ?? 0) - now()),
    nextDomainWaitMs(otherwise) {
      const waits = [...domains.values()].map((s) => s.until - now()).filter((ms) => ms > 0);
      return waits.length ? Math.min(...waits) : otherwise;
    },
  };
}

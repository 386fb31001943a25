/**
 * The mail sender of `edumon run`: moves the outbox (alerts/notify/outbox.ts) to the SMTP server,
 * up to notify.smtpMaxConnections emails at once, each on a connection of its own, so that one
 * waiting for its reply (up to notify.smtpDataTimeoutMs after its final dot) never holds the
 * others. Every attempt is recorded with its outcome. Backoff is per email and per recipient
 * domain (service/deliveryBackoff.ts): a retry or an unknown outcome waits a backoff doubling from
 * notify.retryInitialMs up to notify.retryMaxMs, with the same Message-ID; what the server says
 * about a domain (a 4xx, a command left unanswered) holds that domain's emails; only a server that
 * cannot be reached at all (no greeting) holds every email, since none could get through. An
 * email whose final dot got no reply notify.maxUnknownAttempts times is held, with
 * DQ-NOTIFY-FAILED; one not accepted within notify.giveUpAfterHours of being queued fails.
 * Failed alert emails that still tell something true are queued again when delivery may be
 * possible: at start (the configuration perhaps fixed) and when an email for their domain is
 * accepted. A crash between an accepted email and its record sends it once more, with the same
 * Message-ID: at least once, never lost.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { contactRegionOf } from '../alerts/notify/notifyFailed.ts';
import { type DueRow, loadDue, nextDueAt, pendingCount, type RetryFilter, recordAttempt, requeueFailed, retryOutbox } from '../alerts/notify/outbox.ts';
import { type SendResult, sendEmail } from '../alerts/notify/smtp.ts';
import type { Config } from '../core/config.ts';
import { messageOf } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { backoffMs, createDeliveryBackoff, domainOf } from './deliveryBackoff.ts';

export { backoffMs } from './deliveryBackoff.ts';

/** The running sender. */
export interface MailSender {
  /** Looks for due emails soon (the sweeps call it after committing outbox rows); cheap, and calls coalesce. */
  wake(): void;
  /** Aborts the attempts in flight, records what came of them; nothing is sent after. */
  stop(): Promise<void>;
  /** Resolves once the sender looked at the outbox after this call and every attempt it started then is recorded; for tests. */
  idle(): Promise<void>;
  /** `edumon notify retry`: queues the failed or held emails `filter` picks again (on the sender's connection, in turn); returns their ids. */
  retry(filter: RetryFilter): Promise<string[]>;
  /** What readiness asks of it (service/health.ts). */
  health(): MailHealth;
  /** Attempts recorded so far: each may open or resolve a DQ-NOTIFY-FAILED alert (the console's board cache listens). */
  recorded(): number;
}

/** The sender's side of readiness. */
export interface MailHealth {
  /** Whether an SMTP server is configured (notify.smtpUrl); without one nothing is sent, by choice. */
  sending: boolean;
  /** When (epoch ms) the sender last finished a look at the outbox (at least every 5 s while it runs); null before the first. */
  lookedAt: number | null;
  /** Since when (epoch ms) the oldest email due has been waiting, as of that look; null when none is overdue. */
  dueSince: number | null;
}

/** Emails taken per read of the outbox. */
const BATCH = 20;
/** The backstop: the outbox is looked at this often even without a wake or a due retry. */
const POLL_MS = 5_000;
/** Attempts at recording an attempt (a write conflict with a sweep, say) before leaving the row due again. */
const RECORD_TRIES = 3;
/** Why a held email waits (DQ-NOTIFY-FAILED's reply, `notify list`). */
export const HOLD_REASON = 'server accepts but does not answer: 服务器接收邮件后不答复';

/**
 * Starts the sender, or, with notify.smtpUrl unset, logs once that emails stay in the outbox and
 * returns a sender that sends nothing (retry still queues).
 */
export function startMailSender(opts: { conn: DuckDBConnection; config: Pick<Config, 'notify'>; log: Logger }): MailSender {
  const { conn, log } = opts;
  const notify = opts.config.notify;
  // One statement at a time on the sender's connection: reads, records and retries take it in turn.
  let dbQueue: Promise<unknown> = Promise.resolve();
  const onConn = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = dbQueue.then(fn);
    dbQueue = run.catch(() => undefined);
    return run;
  };
  if (!notify.smtpUrl) {
    log.warn('notify.smtpUrl is not set: alert emails stay in the outbox, unsent (EDUMON_SMTP_URL)');
    return {
      wake: () => undefined,
      stop: async () => undefined,
      idle: async () => undefined,
      retry: (filter) => onConn(() => retryOutbox(conn, filter, new Date())),
      health: () => ({ sending: false, lookedAt: null, dueSince: null }),
      recorded: () => 0,
    };
  }
  let lookedAt: number | null = null;
  let dueSince: number | null = null;
  let recorded = 0;
  let stopped = false;
  let wanted = false;
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let idleWaiters: Array<() => void> = [];
  let announced = false;
  const backoff = createDeliveryBackoff(notify);
  const inFlight = new Map<string, { done: Promise<void>; abort: AbortController }>();

  const schedule = (ms: number) => {
    clearTimeout(timer);
    if (stopped) return;
    timer = setTimeout(wake, Math.max(0, Math.min(ms, POLL_MS)));
    timer.unref();
  };

  function wake(): void {
    if (stopped) return;
    wanted = true;
    running ??= loop().finally(() => {
      running = undefined;
      // A wake that came after the loop last looked at `wanted`, but before it ended, is not lost.
      if (wanted) wake();
    });
  }

  async function loop(): Promise<void> {
    while (wanted && !stopped) {
      wanted = false;
      // Only a pass that starts after idle() was called answers it: one already under way may have
      // read the outbox before the caller's rows were in it.
      const answered = idleWaiters;
      idleWaiters = [];
      try {
        schedule(await pass());
        lookedAt = Date.now();
      } catch (err) {
        // The warehouse refused a read or a write (memory, a closing instance): try again at the next poll.
        log.error('mail sender: outbox unavailable', { error: messageOf(err) });
        schedule(POLL_MS);
      }
      // Idle once nothing is in flight; an attempt ending wakes the sender for another look.
      if (inFlight.size === 0 || stopped) for (const w of answered) w();
      else idleWaiters.push(...answered);
    }
  }

  /** Starts attempts at what is due, up to smtpMaxConnections at once; returns how long to wait before looking again. */
  async function pass(): Promise<number> {
    if (!announced) {
      // At start: a failed email may go through now (the From, the login, the server fixed).
      const requeued = await onConn(() => requeueFailed(conn, null, new Date()));
      // What waits from before a restart is sent first (oldest first); the count says how much.
      log.info('mail sender running', { pending: await onConn(() => pendingCount(conn)), requeued: requeued.length });
      announced = true;
    }
    const serverWait = backoff.serverWaitMs();
    if (serverWait > 0) return serverWait;
    if (inFlight.size < notify.smtpMaxConnections) {
      const due = await onConn(() => loadDue(conn, new Date(), BATCH, inFlight.keys()));
      for (const row of due) {
        if (stopped || inFlight.size >= notify.smtpMaxConnections || backoff.serverWaitMs() > 0) break;
        if (backoff.domainWaitMs(row.address) > 0) continue;
        start(row);
      }
    }
    if (inFlight.size >= notify.smtpMaxConnections) return POLL_MS; // an attempt ending wakes the sender
    const next = await onConn(() => nextDueAt(conn));
    const untilDue = next ? next.getTime() - Date.now() : POLL_MS;
    dueSince = next && untilDue <= 0 ? next.getTime() : null;
    // Due but not started (in flight, or its domain waiting): look again when a domain's wait ends.
    return untilDue > 0 ? untilDue : backoff.nextDomainWaitMs(POLL_MS);
  }

  function start(row: DueRow): void {
    const abort = new AbortController();
    const done = attempt(row, abort.signal)
      .catch((err) => log.error('mail sender: attempt not recorded', { outbox_id: row.id, error: messageOf(err) }))
      .finally(() => {
        inFlight.delete(row.id);
        wake();
      });
    inFlight.set(row.id, { done, abort });
  }

  async function attempt(row: DueRow, signal: AbortSignal): Promise<void> {
    const giveUpAt = Date.parse(row.queuedAt) + notify.giveUpAfterHours * 3_600_000;
    const result: SendResult =
      Date.now() >= giveUpAt
        ? { outcome: 'failed', code: null, reply: `not accepted within ${notify.giveUpAfterHours} hours: given up` }
        : await sendEmail(notify, row, signal);
    backoff.record(row.address, result);
    const held = result.outcome === 'unknown' && row.unknowns + 1 >= notify.maxUnknownAttempts;
    const record = {
      outboxId: row.id,
      contactId: row.contactId,
      region: contactRegionOf(row.contactId, notify),
      at: new Date().toISOString(),
      ...result,
      nextAttemptAt: new Date(Date.now() + backoffMs(row.attempts + 1, notify)).toISOString(),
      ...(held ? { holdReason: `${HOLD_REASON} (${row.unknowns + 1} × ${result.reply})` } : {}),
    };
    const fields = { outbox_id: row.id, contact: row.contactId, attempt: row.attempts + 1, outcome: result.outcome, code: result.code };
    if (result.outcome === 'sent') log.info('alert email sent', fields);
    else if (result.outcome === 'failed') log.error('alert email failed', { ...fields, reply: result.reply });
    else if (held) log.error('alert email held: the server takes it but does not answer', { ...fields, reply: result.reply });
    else log.warn('alert email not delivered yet', { ...fields, reply: result.reply, next_attempt_at: record.nextAttemptAt });
    for (let i = 1; ; i++) {
      try {
        await onConn(() => recordAttempt(conn, record));
        recorded++;
        break;
      } catch (err) {
        // The row stays due as it was: it is attempted again at the next poll (same Message-ID), not
        // lost, and not at once, which could send it again and again while the warehouse refuses writes.
        if (i >= RECORD_TRIES) throw new Error(`cannot record the attempt at ${row.id}: ${messageOf(err)}`);
      }
    }
    if (result.outcome === 'sent') {
      // The server takes mail for this domain again: its failed alert emails may go through now.
      const requeued = await onConn(() => requeueFailed(conn, domainOf(row.address), new Date()));
      if (requeued.length) log.info('failed alert emails queued again', { domain: domainOf(row.address), count: requeued.length });
    }
  }

  wake();
  return {
    wake,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      for (const { abort } of inFlight.values()) abort.abort('the sender is stopping');
      await Promise.allSettled([...inFlight.values()].map((f) => f.done));
      await dbQueue;
      for (const w of idleWaiters) w();
      idleWaiters = [];
    },
    idle() {
      if (stopped) return Promise.resolve();
      const p = new Promise<void>((resolve) => idleWaiters.push(resolve));
      wake();
      return p;
    },
    async retry(filter) {
      const ids = await onConn(() => retryOutbox(conn, filter, new Date()));
      wake();
      return ids;
    },
    health: () => ({ sending: true, lookedAt, dueSince }),
    recorded: () => recorded,
  };
}

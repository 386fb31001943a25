/**
 * The mail sender of `edumon run`: moves the outbox (alerts/notify/outbox.ts) to the SMTP server,
 * one email at a time on a connection of its own. Every attempt is recorded with its outcome;
 * a retry or an unknown outcome waits a backoff doubling from notify.retryInitialMs up to
 * notify.retryMaxMs, with the same Message-ID; an email not accepted within
 * notify.giveUpAfterHours fails, and a failure opens DQ-NOTIFY-FAILED in the attempt's
 * transaction. When the server gives no reply at all (down, unreachable, timing out), the whole
 * outbox waits that backoff, not only the email tried. A crash between an accepted email and its
 * record sends it once more, with the same Message-ID: at least once, never lost.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { contactRegionOf } from '../alerts/notify/notifyFailed.ts';
import { type DueRow, loadDue, nextDueAt, pendingCount, recordAttempt } from '../alerts/notify/outbox.ts';
import { type SendResult, sendEmail } from '../alerts/notify/smtp.ts';
import type { Config } from '../core/config.ts';
import { messageOf } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';

/** The running sender. */
export interface MailSender {
  /** Looks for due emails soon (the sweeps call it after committing outbox rows); cheap, and calls coalesce. */
  wake(): void;
  /** Waits for the attempt in flight to be sent and recorded; nothing is sent after. */
  stop(): Promise<void>;
  /** Resolves at the end of the sender's next look at the outbox: nothing due is left, or the server is unreachable and it waits; for tests. */
  idle(): Promise<void>;
}

/** Emails taken per read of the outbox. */
const BATCH = 20;
/** The backstop: the outbox is looked at this often even without a wake or a due retry. */
const POLL_MS = 5_000;
/** Attempts at recording an attempt (a write conflict with a sweep, say) before leaving the row due again. */
const RECORD_TRIES = 3;

/** The wait before attempt n+1 after n attempts (n >= 1): retryInitialMs doubling, at most retryMaxMs. */
export function backoffMs(attempts: number, notify: Pick<Config['notify'], 'retryInitialMs' | 'retryMaxMs'>): number {
  return Math.min(notify.retryMaxMs, notify.retryInitialMs * 2 ** Math.max(0, Math.min(attempts - 1, 30)));
}

/**
 * Starts the sender, or, with notify.smtpUrl unset, logs once that emails stay in the outbox and
 * returns a sender that does nothing.
 */
export function startMailSender(opts: { conn: DuckDBConnection; config: Pick<Config, 'notify'>; log: Logger }): MailSender {
  const { conn, log } = opts;
  const notify = opts.config.notify;
  if (!notify.smtpUrl) {
    log.warn('notify.smtpUrl is not set: alert emails stay in the outbox, unsent (EDUMON_SMTP_URL)');
    return { wake: () => undefined, stop: async () => undefined, idle: async () => undefined };
  }
  let stopped = false;
  let wanted = false;
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let idleWaiters: Array<() => void> = [];
  /** Attempts in a row that got no reply from the server, and until when the sender waits because of them. */
  let unreachable = 0;
  let pausedUntil = 0;
  let announced = false;

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
      } catch (err) {
        // The warehouse refused a read or a write (memory, a closing instance): try again at the next poll.
        log.error('mail sender: outbox unavailable', { error: messageOf(err) });
        schedule(POLL_MS);
      }
      for (const w of answered) w();
    }
  }

  /**
   * Sends what is due, oldest first, until nothing is, the sender stops, or the server cannot be
   * reached; returns how long to wait before looking again.
   */
  async function pass(): Promise<number> {
    if (!announced) {
      // What waits from before a restart is sent first (oldest first); the count says how much.
      // Here, not beside the loop: one connection runs one statement at a time.
      log.info('mail sender running', { pending: await pendingCount(conn) });
      announced = true;
    }
    if (Date.now() < pausedUntil) return pausedUntil - Date.now();
    for (;;) {
      if (stopped) return POLL_MS;
      const due = await loadDue(conn, new Date(), BATCH);
      if (!due.length) break;
      for (const row of due) {
        if (stopped) return POLL_MS;
        const result = await attempt(row);
        // No reply at all (refused, unreachable, timed out): the server, not this email. The rest
        // wait a backoff of their own, so that a server that swallows connections costs one timeout
        // per backoff, not one per email.
        if (result.code === null && result.outcome !== 'failed') {
          unreachable += 1;
          pausedUntil = Date.now() + backoffMs(unreachable, notify);
          return pausedUntil - Date.now();
        }
        unreachable = 0;
      }
    }
    const next = await nextDueAt(conn);
    return next ? next.getTime() - Date.now() : POLL_MS;
  }

  async function attempt(row: DueRow): Promise<SendResult> {
    const start = Date.now();
    const giveUpAt = Date.parse(row.createdAt) + notify.giveUpAfterHours * 3_600_000;
    const result: SendResult =
      start >= giveUpAt
        ? { outcome: 'failed', code: null, reply: `not accepted within ${notify.giveUpAfterHours} hours: given up` }
        : await sendEmail(notify, row);
    const at = new Date().toISOString();
    const record = {
      outboxId: row.id,
      contactId: row.contactId,
      region: contactRegionOf(row.contactId, notify),
      at,
      ...result,
      nextAttemptAt: new Date(Date.now() + backoffMs(row.attempts + 1, notify)).toISOString(),
    };
    const fields = { outbox_id: row.id, contact: row.contactId, attempt: row.attempts + 1, outcome: result.outcome, code: result.code };
    if (result.outcome === 'sent') log.info('alert email sent', fields);
    else if (result.outcome === 'failed') log.error('alert email failed', { ...fields, reply: result.reply });
    else log.warn('alert email not delivered yet', { ...fields, reply: result.reply, next_attempt_at: record.nextAttemptAt });
    for (let i = 1; ; i++) {
      try {
        await recordAttempt(conn, record);
        return result;
      } catch (err) {
        // The row stays due as it was: it is attempted again at the next poll (same Message-ID), not
        // lost, and not at once, which could send it again and again while the warehouse refuses writes.
        if (i >= RECORD_TRIES) throw new Error(`cannot record the attempt at ${row.id}: ${messageOf(err)}`);
      }
    }
  }

  wake();
  return {
    wake,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      for (const w of idleWaiters) w();
      idleWaiters = [];
    },
    idle() {
      if (stopped) return Promise.resolve();
      const p = new Promise<void>((resolve) => idleWaiters.push(resolve));
      wake();
      return p;
    },
  };
}

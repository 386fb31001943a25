/**
 * The weekly digest in the service: a job of the one scheduler that, every ten minutes and once at
 * start, writes the digests that are due and not yet in the outbox (alerts/digest/writeDueDigests.ts)
 * on a connection of its own, then wakes the sender; while ingestion is more than
 * rules.maxIngestLag events behind (catching up after a restart) it waits for a later tick. A week missed while the service was down is
 * sent at its next start; a restart never sends one twice.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { digestRecipients } from '../alerts/digest/digestEmails.ts';
import { nextDigestAt } from '../alerts/digest/sendDay.ts';
import { writeDueDigests } from '../alerts/digest/writeDueDigests.ts';
import type { Config } from '../core/config.ts';
import { messageOf } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { formatShanghai } from '../core/shanghai.ts';
import type { ScheduledJob, Scheduler } from './scheduler.ts';

/** The running digest job. */
export interface DigestJob {
  /** Stops the job and waits for a run in progress. */
  stop(): Promise<void>;
}

/** Adds the digest job to `scheduler` and starts one run now; undefined when no contact receives a digest. */
export function startDigestJob(opts: {
  /** Runs `fn` on the digest connection, in turn with the service's other uses of it. */
  onConn: <T>(fn: (conn: DuckDBConnection) => Promise<T>) => Promise<T>;
  config: Config;
  log: Logger;
  scheduler: Scheduler;
  wake: () => void;
  /** Events the pipeline is behind its topics, ends fetched now: a digest waits while it exceeds rules.maxIngestLag. */
  ingestBehind?: () => Promise<number>;
}): DigestJob | undefined {
  const { config, log } = opts;
  if (!digestRecipients(config.notify).length) return undefined;
  let waiting = false;
  // One run at a time, whether started by a tick or at start.
  let running: Promise<void> | undefined;
  const runOnce = async (atStart: boolean) => {
    try {
      // A digest is sent once: not while the week's events are still arriving (at start, say).
      const behind = (await opts.ingestBehind?.()) ?? 0;
      if (behind > config.rules.maxIngestLag) {
        if (!waiting) log.info('weekly digest waits for ingestion to catch up', { behind, max: config.rules.maxIngestLag });
        waiting = true;
        return;
      }
      waiting = false;
      const now = new Date();
      const r = await opts.onConn((conn) => writeDueDigests(conn, config, now));
      if (r.written) {
        log.info('weekly digest written to the outbox', { week: r.week.label, emails: r.written, already_there: r.alreadyThere });
        opts.wake();
      } else if (atStart) {
        // At start, say where the digest stands: the week due is in the outbox, and when the next falls due.
        const next = formatShanghai(nextDigestAt(now.getTime(), config.notify.calendarOverrides));
        log.info('weekly digest already in the outbox', { week: r.week.label, emails: r.alreadyThere, next_due: next });
      }
    } catch (err) {
      log.error('weekly digest failed; the next run tries again', { error: messageOf(err) });
    }
  };
  const run = (atStart = false) => {
    running ??= runOnce(atStart).finally(() => {
      running = undefined;
    });
    return running;
  };
  const job: ScheduledJob = opts.scheduler.add({ name: 'weekly-digest', cron: '0 */10 * * * *', overlap: false, run: () => run() });
  void run(true);
  return {
    async stop() {
      await job.stop();
      await running;
    },
  };
}

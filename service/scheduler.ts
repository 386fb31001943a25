/**
 * Every timed job of the service (the rule sweeps and the notify round, service/ruleSweeps.ts;
 * the weekly digest, digestJob.ts; the snapshots, snapshotJob.ts) runs from here: node-cron ticks each job on its cron expression, read in Asia/Shanghai whatever the
 * host's TZ, and a job that may not overlap is skipped, with a log line, while its previous run is
 * still going. The scheduler only triggers; what a run does (and decides) is the job's.
 */
import cron, { type ScheduledTask } from 'node-cron';
import { EdumonError, messageOf } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';

/** The zone every job's cron expression is read in: the plans' (UTC+8 all year). */
export const SCHEDULE_TIMEZONE = 'Asia/Shanghai';

/** A timed job. */
export interface Job {
  /** Names the job in log lines. */
  name: string;
  /** A node-cron expression (an optional seconds field first), read in Asia/Shanghai. */
  cron: string;
  /** Whether a tick may start a run while the previous one is still going; if not, that tick is skipped. */
  overlap: boolean;
  /** One run. A failure is logged; the job keeps its schedule. */
  run(): Promise<void>;
}

/** A job on the schedule. */
export interface ScheduledJob {
  /** The next moment the job ticks, or null. */
  nextRun(): Date | null;
  /** Whether the job ticks at `at` (to the second). */
  matches(at: Date): boolean;
  /** Stops the job's ticks; a run in progress goes on (its owner stops it). */
  stop(): Promise<void>;
}

/** The service's one scheduler. */
export interface Scheduler {
  /** Schedules `job`; an expression node-cron cannot read fails here, naming the job. */
  add(job: Job): ScheduledJob;
  /** Stops every job's ticks. */
  stop(): Promise<void>;
}

export function createScheduler(log: Logger): Scheduler {
  const tasks = new Set<ScheduledTask>();
  return {
    add(job) {
      if (!cron.validate(job.cron)) throw new EdumonError(`scheduled job ${job.name}: '${job.cron}' is not a cron expression`);
      const task = cron.schedule(job.cron, jobTick(job, log), { name: job.name, timezone: SCHEDULE_TIMEZONE });
      tasks.add(task);
      return {
        nextRun: () => task.getNextRun(),
        matches: (at) => task.match(at),
        async stop() {
          tasks.delete(task);
          await task.stop();
        },
      };
    },
    async stop() {
      const all = [...tasks];
      tasks.clear();
      await Promise.all(all.map((t) => t.stop()));
    },
  };
}

/**
 * What one tick of `job` does, apart from the clock (so it is tested without waiting for one):
 * starts a run, unless the job may not overlap and its previous run is still going, in which
 * case it logs the skip and returns. A failed run is logged, never thrown into node-cron.
 */
export function jobTick(job: Job, log: Logger): () => Promise<void> {
  let runningSince: number | undefined;
  return async () => {
    if (!job.overlap) {
      if (runningSince !== undefined) {
        log.info('scheduled job skipped: its previous run is still going', { job: job.name, running_s: Math.round((Date.now() - runningSince) / 1000) });
        return;
      }
      runningSince = Date.now();
    }
    try {
      await job.run();
    } catch (err) {
      log.error('scheduled job failed', { job: job.name, error: messageOf(err) });
    } finally {
      runningSince = undefined;
    }
  };
}

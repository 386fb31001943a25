/** The service's scheduler: cron expressions read in Asia/Shanghai, and jobs that may not overlap skipped while they run. */
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../core/log.ts';
import { createScheduler, type Job, jobTick, type Scheduler } from '../../service/scheduler.ts';

/** A logger that keeps its lines. */
function recordingLog(): { log: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = [];
  return { log: createLogger({ level: 'debug', write: (l) => lines.push(l) }), lines };
}

/** A job whose runs each wait until released. */
function heldJob(overlap: boolean): { job: Job; runs: () => number; release: () => void } {
  const waiting: (() => void)[] = [];
  let runs = 0;
  const job: Job = {
    name: 'held',
    cron: '* * * * * *',
    overlap,
    run: () => {
      runs++;
      return new Promise<void>((resolve) => waiting.push(resolve));
    },
  };
  return {
    job,
    runs: () => runs,
    release: () => {
      for (const r of waiting.splice(0)) r();
    },
  };
}

describe('jobTick', () => {
  it('skips a tick of a job that may not overlap while its previous run is still going, and says so', async () => {
    const { log, lines } = recordingLog();
    const { job, runs, release } = heldJob(false);
    const tick = jobTick(job, log);
    const first = tick();
    await tick();
    expect(runs()).toBe(1);
    expect(lines.join('\n')).toMatch(/scheduled job skipped: its previous run is still going job=held/);
    release();
    await first;
    // The run is over: the next tick runs again.
    const third = tick();
    expect(runs()).toBe(2);
    release();
    await third;
  });

  it('starts a run at every tick of a job that may overlap', async () => {
    const { log, lines } = recordingLog();
    const { job, runs, release } = heldJob(true);
    const tick = jobTick(job, log);
    const ticks = [tick(), tick(), tick()];
    expect(runs()).toBe(3);
    expect(lines).toEqual([]);
    release();
    await Promise.all(ticks);
  });

  it('logs a failed run, never throws it into node-cron, and runs again at the next tick', async () => {
    const { log, lines } = recordingLog();
    let runs = 0;
    const job: Job = {
      name: 'flaky',
      cron: '* * * * * *',
      overlap: false,
      run: () => {
        runs++;
        return Promise.reject(new Error('boom'));
      },
    };
    const tick = jobTick(job, log);
    await expect(tick()).resolves.toBeUndefined();
    expect(lines.join('\n')).toMatch(/scheduled job failed job=flaky error=boom/);
    await tick();
    expect(runs).toBe(2);
  });
});

describe('createScheduler', () => {
  let scheduler: Scheduler | undefined;
  afterEach(async () => {
    await scheduler?.stop();
  });

  it('reads every cron expression in Asia/Shanghai, whatever the host zone', () => {
    scheduler = createScheduler(recordingLog().log);
    const daily = scheduler.add({ name: 'digest', cron: '0 0 2 * * *', overlap: false, run: async () => {} });
    // 02:00 in Shanghai is 18:00 UTC the day before.
    expect(daily.matches(new Date('2026-03-01T18:00:00Z'))).toBe(true);
    expect(daily.matches(new Date('2026-03-02T02:00:00Z'))).toBe(false);
    const next = daily.nextRun();
    expect(next).not.toBeNull();
    expect(next!.getUTCHours()).toBe(18);
    expect(next!.getUTCMinutes()).toBe(0);
  });

  it('refuses an expression it cannot read, naming the job', () => {
    scheduler = createScheduler(recordingLog().log);
    expect(() => scheduler!.add({ name: 'digest', cron: 'every monday', overlap: false, run: async () => {} })).toThrow(
      /scheduled job digest: 'every monday' is not a cron expression/,
    );
  });

  it('ticks a job on its schedule until stopped', async () => {
    scheduler = createScheduler(recordingLog().log);
    let runs = 0;
    const job = scheduler.add({ name: 'every-second', cron: '* * * * * *', overlap: false, run: async () => void runs++ });
    const deadline = Date.now() + 5_000;
    while (runs === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(runs).toBeGreaterThan(0);
    await job.stop();
    const after = runs;
    await new Promise((r) => setTimeout(r, 1_500));
    expect(runs).toBe(after);
  });
});

/**
 * Analysts' snapshots in the service: exports on the snapshots schedule (config snapshots.schedule,
 * read in Asia/Shanghai) and on demand (`edumon export`, POST /export), one at a time on a
 * connection of their own, so an export holds no sweep, no query and no ingest write.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { type Config, snapshotsDirOf } from '../core/config.ts';
import { messageOf } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { exportCrashFailpoint } from '../pipeline/failpoint.ts';
import { exportSnapshot, type SnapshotFile, type SnapshotResult } from '../pipeline/snapshot.ts';
import type { ScheduledJob, Scheduler } from './scheduler.ts';

/** What `edumon export` answers: the snapshot's folder, moment, files and what was removed. */
export interface ExportAnswer {
  path: string;
  asOf: string;
  files: Array<{ name: string; rows: number; bytes: number }>;
  offsets: number;
  removed: string[];
}

/** Exports one snapshot of the warehouse behind `conn` into snapshotsDirOf(config) (or `dir`), keeping snapshots.keep. */
export async function exportRequest(
  conn: DuckDBConnection,
  config: Config,
  opts: { dir?: string; onFile?: (file: SnapshotFile) => void } = {},
): Promise<ExportAnswer> {
  const afterFile = exportCrashFailpoint(config.failpoints.exportCrash);
  const r: SnapshotResult = await exportSnapshot(conn, opts.dir ?? snapshotsDirOf(config), {
    keep: config.snapshots.keep,
    ...(opts.onFile ? { onFile: opts.onFile } : {}),
    ...(afterFile ? { afterFile } : {}),
  });
  return {
    path: r.path,
    asOf: r.manifest.asOf,
    files: r.manifest.files.map((f) => ({ name: f.name, rows: f.rows, bytes: f.bytes })),
    offsets: r.manifest.offsets.length,
    removed: r.removed,
  };
}

/** The running snapshot job. */
export interface SnapshotJob {
  /** Exports one now, in turn with the scheduled ones. */
  exportNow(): Promise<ExportAnswer>;
  /** Stops the schedule and waits for an export in progress. */
  stop(): Promise<void>;
}

/** Starts the snapshot schedule (none when snapshots.schedule is 'off'); exportNow works either way. */
export function startSnapshotJob(opts: { conn: DuckDBConnection; config: Config; log: Logger; scheduler: Scheduler }): SnapshotJob {
  const { conn, config, log } = opts;
  let queue: Promise<unknown> = Promise.resolve();
  const exportNow = (): Promise<ExportAnswer> => {
    const run = queue.then(async () => {
      const t0 = Date.now();
      const answer = await exportRequest(conn, config, {
        onFile: (f) => log.debug('snapshot file written', { table: f.name, rows: f.rows, bytes: f.bytes }),
      });
      const rows = answer.files.reduce((n, f) => n + f.rows, 0);
      log.info('snapshot exported', {
        path: answer.path,
        as_of: answer.asOf,
        files: answer.files.length,
        rows,
        ms: Date.now() - t0,
        removed: answer.removed.length,
      });
      return answer;
    });
    queue = run.catch(() => undefined);
    return run;
  };
  let job: ScheduledJob | undefined;
  if (config.snapshots.schedule !== 'off') {
    job = opts.scheduler.add({
      name: 'snapshot',
      cron: config.snapshots.schedule,
      overlap: false,
      run: async () => {
        await exportNow().catch((err) => log.error('snapshot export failed; the next one tries again', { error: messageOf(err) }));
      },
    });
  }
  return {
    exportNow,
    async stop() {
      await job?.stop();
      await queue;
    },
  };
}

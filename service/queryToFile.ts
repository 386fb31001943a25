/**
 * `edumon query --out FILE`: an analyst query's answer written to a file as NDJSON, CSV or Parquet,
 * through the running service's API while `edumon run` holds the warehouse, else on the file
 * opened read-only, sandboxed as always. Never held whole in memory; FILE appears only complete.
 */
import { createWriteStream, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Config } from '../core/config.ts';
import { EdumonError, messageOf } from '../core/errors.ts';
import { downloadFromService, readServiceFile } from './client.ts';
import type { AnswerFormat, ByteSink } from './queryAnswer.ts';
import { withWarehouse } from './withWarehouse.ts';

/**
 * Writes the answer of `sql` as `format` to `out` (mode 0600: the answer holds warehouse data) and
 * returns its rows and size in bytes. Everything is written first under a private folder beside
 * `out` (mode 0700, the one folder the sandbox lets DuckDB write on a stopped warehouse) and renamed
 * into place once complete, so a refused or stopped query leaves no file and no half of one.
 * Raises the query's UsageError (refused, a limit passed), or EdumonError if `out` cannot be written.
 */
export async function queryToFile(config: Config, sql: string, format: AnswerFormat, out: string): Promise<{ rows: number; bytes: number }> {
  let work: string;
  try {
    work = mkdtempSync(join(dirname(out), `.${basename(out)}.edumon-`));
  } catch (err) {
    throw new EdumonError(`cannot write ${out}: ${messageOf(err)}`);
  }
  const part = join(work, `answer.${format}`);
  try {
    const service = readServiceFile(config.warehouse);
    const rows = service
      ? (await downloadFromService(service, '/query', { sql, format }, part)).rows
      : await withWarehouse(config.warehouse, { write: false, sandbox: { memoryLimit: config.query.memoryLimit, writableDir: work } }, async (conn) => {
          // Imported here: it loads DuckDB, which a query through the service never needs.
          const { writeAnswer } = await import('./queryAnswer.ts');
          return writeToFile(part, (sink) => writeAnswer(conn, sql, format, config.query, sink, { parquetDir: work }));
        });
    renameSync(part, out);
    return { rows, bytes: statSync(out).size };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Runs `produce` into a new file `path` (mode 0600), waiting on the disk as it writes; resolves to its rows. */
async function writeToFile(path: string, produce: (sink: ByteSink) => Promise<{ rows: number }>): Promise<number> {
  const file = createWriteStream(path, { mode: 0o600 });
  let failed: Error | undefined;
  file.on('error', (err) => (failed ??= err));
  const sink: ByteSink = {
    write(chunk) {
      if (failed) return Promise.reject(new EdumonError(`cannot write ${path}: ${failed.message}`));
      if (file.write(chunk)) return Promise.resolve();
      return new Promise((resolve) => file.once('drain', resolve));
    },
  };
  try {
    const { rows } = await produce(sink);
    await new Promise<void>((resolve, reject) => file.end((err?: Error | null) => (err ? reject(err) : resolve())));
    if (failed) throw new EdumonError(`cannot write ${path}: ${failed.message}`);
    return rows;
  } finally {
    file.destroy();
  }
}

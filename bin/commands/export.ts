import { resolve } from 'node:path';
import type { Command } from '../../core/cli.ts';
import { snapshotsDirOf } from '../../core/config.ts';
import { UsageError } from '../../core/errors.ts';
import { readServiceFile } from '../../service/client.ts';
import { serviceOrWarehouse } from '../../service/serviceOrWarehouse.ts';
import { type ExportAnswer, exportRequest } from '../../service/snapshotJob.ts';

const mb = (bytes: number) => (bytes / 1048576).toFixed(1);

export const exportCmd: Command = {
  name: 'export',
  summary: 'Export an analysts’ snapshot of the warehouse as Parquet (tables, views, manifest, DuckDB loader)',
  usage: 'export [--to DIR]',
  description:
    '导出一份快照：仓库的每张表和视图各一个 Parquet 文件，另有 manifest.json（行数、对应的 Kafka 偏移量、时刻）\n' +
    '和供 DuckDB CLI 使用的 load.sql。Writes one snapshot folder, snapshot-YYYYMMDD-HHMMSS (Asia/Shanghai), under\n' +
    'DIR (default: snapshots.dir, EDUMON_SNAPSHOTS_DIR, else `snapshots` beside the warehouse): a Parquet file per\n' +
    'table and view, manifest.json (row counts, the ingest offsets it reflects, its moment) and load.sql (cd into the\n' +
    'folder, then `duckdb -init load.sql`). One consistent moment; written under a hidden name and renamed when\n' +
    'complete. Keeps the last snapshots.keep (EDUMON_SNAPSHOTS_KEEP, default 7). Through `edumon run` while it is up\n' +
    '(which writes only to its snapshots folder); the service also exports on snapshots.schedule.',
  options: {
    to: { type: 'string', value: 'DIR', help: 'the folder snapshots go in (default: snapshots.dir)' },
  },
  async run(ctx) {
    if (ctx.positionals.length) throw new UsageError(`export: takes no arguments (got '${ctx.positionals.join(' ')}')`);
    const config = ctx.config();
    const own = snapshotsDirOf(config);
    const to = typeof ctx.values.to === 'string' ? resolve(ctx.values.to) : own;
    if (to !== own && readServiceFile(config.warehouse)) {
      throw new UsageError(
        `export: 运行中的服务只把快照写入 ${own} / the running service writes snapshots only to ${own} (snapshots.dir, EDUMON_SNAPSHOTS_DIR); leave out --to, or stop it first`,
      );
    }
    process.stderr.write(`export: snapshot of ${config.warehouse} into ${to}…\n`);
    const answer = await serviceOrWarehouse<ExportAnswer, '/export'>(config.warehouse, { path: '/export', body: {} }, { write: false }, (conn) =>
      exportRequest(conn, config, {
        dir: to,
        onFile: (f) => process.stderr.write(`export: ${f.name}: ${f.rows} rows, ${mb(f.bytes)} MB\n`),
      }),
    );
    const rows = answer.files.reduce((n, f) => n + f.rows, 0);
    const bytes = answer.files.reduce((n, f) => n + f.bytes, 0);
    ctx.out(`快照 snapshot: ${answer.path}`);
    ctx.out(
      `时刻 as of: ${answer.asOf}; ${answer.files.length} 个文件 files, ${rows} 行 rows, ${mb(bytes)} MB; ${answer.offsets} 个分区偏移量 partition offsets`,
    );
    if (answer.removed.length) ctx.out(`已删除 removed: ${answer.removed.join(', ')}`);
  },
};

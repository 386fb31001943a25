import type { Command } from '../../core/cli.ts';
import { UsageError } from '../../core/errors.ts';
import { readQuery } from '../../service/query.ts';
import { serviceOrWarehouse } from '../../service/serviceOrWarehouse.ts';
import { formatLines } from '../formatResult.ts';

export const query: Command = {
  name: 'query',
  summary: 'Run a read-only SQL query on the warehouse',
  usage: 'query "SQL" [--format table|csv|json]',
  description:
    'One SELECT or EXPLAIN statement; nothing can be changed and no file but the warehouse read.\n' +
    'Bounded by EDUMON_QUERY_TIMEOUT_MS, EDUMON_QUERY_MAX_ROWS and EDUMON_QUERY_MEMORY_LIMIT.\n' +
    'While `edumon run` is up the query goes through it; otherwise the warehouse file is opened read-only.\n' +
    'Timestamps are shown in Asia/Shanghai (+08:00). Control characters in values are shown escaped\n' +
    '(e.g. \\u001b), never sent to the terminal.\n' +
    'json prints one JSON object per line.',
  options: {
    format: { type: 'string', short: 'f', value: 'F', help: 'table (default), csv or json' },
  },
  async run(ctx) {
    const sql = ctx.positionals.join(' ').trim();
    if (!sql) throw new UsageError('query: give the SQL as an argument, e.g. edumon query "select count(*) from admissions"');
    const format = (ctx.values.format as string | undefined) ?? 'table';
    if (!['table', 'csv', 'json'].includes(format)) throw new UsageError(`query: --format must be table, csv or json`);
    const config = ctx.config();
    const result = await serviceOrWarehouse(
      config.warehouse,
      { path: '/query', body: { sql } },
      { write: false, sandbox: { memoryLimit: config.query.memoryLimit } },
      (conn) => readQuery(conn, sql, config.query),
    );
    ctx.outLines(formatLines(result, format as 'table' | 'csv' | 'json'));
  },
};

import type { Command } from '../../core/cli.ts';
import { UsageError } from '../../core/errors.ts';
import { serviceOrWarehouse } from '../../service/serviceOrWarehouse.ts';
import { csvText, formatLines } from '../formatResult.ts';

const formats = ['table', 'csv', 'json', 'parquet'] as const;

export const query: Command = {
  name: 'query',
  summary: 'Run a read-only SQL query on the warehouse',
  usage: 'query "SQL" [--format table|csv|json] [--format csv|json|parquet --out FILE]',
  description:
    'One SELECT or EXPLAIN statement; nothing can be changed and no file but the warehouse read.\n' +
    'Bounded by EDUMON_QUERY_TIMEOUT_MS, EDUMON_QUERY_MAX_ROWS and EDUMON_QUERY_MEMORY_LIMIT.\n' +
    'While `edumon run` is up the query goes through it; otherwise the warehouse file is opened read-only.\n' +
    'Timestamps are shown in Asia/Shanghai (+08:00). Control characters in values are shown escaped\n' +
    '(e.g. \\u001b), never sent to the terminal.\n' +
    'csv prints the same bytes --out writes: RFC 4180 with CRLF, UTF-8 with a BOM (for Excel and WPS);\n' +
    "text starting with = + - @ gets a leading ' so no spreadsheet runs it (numbers stay numbers).\n" +
    'json prints one JSON object per line.\n' +
    '--out FILE writes the answer to FILE instead (mode 0600), streamed, never held whole in memory:\n' +
    'csv, json (one object per line) or parquet; FILE appears only once complete, and the row count\n' +
    'and file size are printed at the end.',
  options: {
    format: { type: 'string', short: 'f', value: 'F', help: 'table (default), csv or json; with --out: csv, json or parquet' },
    out: { type: 'string', short: 'o', value: 'FILE', help: 'write the answer to FILE (csv, json or parquet), not the terminal' },
  },
  async run(ctx) {
    const sql = ctx.positionals.join(' ').trim();
    if (!sql) throw new UsageError('query: give the SQL as an argument, e.g. edumon query "select count(*) from admissions"');
    const out = ctx.values.out as string | undefined;
    const format = (ctx.values.format as string | undefined) ?? (out ? undefined : 'table');
    if (out !== undefined) {
      if (format !== 'csv' && format !== 'json' && format !== 'parquet') throw new UsageError('query: --out needs --format csv, json or parquet');
      const config = ctx.config();
      const { queryToFile } = await import('../../service/queryToFile.ts');
      const { rows, bytes } = await queryToFile(config, sql, format === 'json' ? 'ndjson' : format, out);
      ctx.out(`已写入 written: ${out} (${rows} 行 rows, ${bytes} 字节 bytes)`);
      return;
    }
    if (format === 'parquet') throw new UsageError('query: --format parquet needs --out FILE (Parquet is not for the terminal)');
    if (!formats.includes(format as (typeof formats)[number])) throw new UsageError(`query: --format must be table, csv or json (parquet with --out)`);
    const config = ctx.config();
    const result = await serviceOrWarehouse(
      config.warehouse,
      { path: '/query', body: { sql } },
      { write: false, sandbox: { memoryLimit: config.query.memoryLimit } },
      // Imported here, on a stopped warehouse only: through the service DuckDB is never loaded.
      async (conn) => (await import('../../service/query.ts')).readQuery(conn, sql, config.query),
    );
    if (format === 'csv') ctx.outText(csvText(result));
    else ctx.outLines(formatLines(result, format as 'table' | 'json'));
  },
};

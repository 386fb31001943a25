/**
 * An analyst query's answer as a stream of bytes in a file format, for tools (curl, Python, a BI
 * tool's web connector) and for `edumon query --out`: JSON Lines, CSV or Parquet. The same sandbox
 * and limits as every query (service/query.ts); only the shape of the answer differs.
 */
import { createReadStream, rmSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { CSV_BOM } from '../core/csv.ts';
import type { QueryLimits } from './query.ts';
import { streamQuery } from './query.ts';
import { PARQUET_MEDIA_TYPE, queryToParquet } from './queryParquet.ts';
import { csvHeader, csvRow, jsonRow } from './rowText.ts';

/** The formats an answer can be streamed in. */
export const answerFormats = ['ndjson', 'csv', 'parquet'] as const;
export type AnswerFormat = (typeof answerFormats)[number];

/** Each format's media type and file name extension. */
export const answerMedia: Record<AnswerFormat, { contentType: string; extension: string }> = {
  // JSON Lines (jsonlines.org); the ndjson name is what most tools know it by.
  ndjson: { contentType: 'application/x-ndjson; charset=utf-8', extension: 'ndjson' },
  // RFC 4180 section 3: text/csv with the optional header parameter.
  csv: { contentType: 'text/csv; charset=utf-8; header=present', extension: 'csv' },
  parquet: { contentType: PARQUET_MEDIA_TYPE, extension: 'parquet' },
};

/** Where an answer's bytes go; each write resolves when the bytes may be followed by more (backpressure). */
export interface ByteSink {
  write(chunk: string | Uint8Array): Promise<void>;
}

/**
 * Writes the answer of `sql` to `out` as `format`: NDJSON (one object per row, TIMESTAMPTZ as
 * Asia/Shanghai text with +08:00), CSV (edumon's one dialect, core/csv.ts: RFC 4180 with CRLF and a
 * header row, UTF-8 with a byte order mark, no cell a spreadsheet would run as a formula, numbers of
 * numeric columns kept as numbers) or Parquet (DuckDB's writer, into a temporary
 * file under `parquetDir` that is removed afterwards, sent only once complete).
 * `whileQuerying` runs the query part (the caller's turn on the connection); sending a finished
 * Parquet file happens after it. Refusals reject before anything is written; a failure after the
 * first write rejects too, and the caller must tell its reader the answer is cut short.
 * Resolves to the rows and bytes written.
 */
export async function writeAnswer(
  conn: DuckDBConnection,
  sql: string,
  format: AnswerFormat,
  limits: QueryLimits,
  out: ByteSink,
  opts: { parquetDir: string; whileQuerying?: <T>(fn: () => Promise<T>) => Promise<T> },
): Promise<{ rows: number; bytes: number }> {
  const turn = opts.whileQuerying ?? ((fn) => fn());
  let bytes = 0;
  const write = (chunk: string | Uint8Array) => {
    bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    return out.write(chunk);
  };
  if (format === 'parquet') {
    const done = await turn(() => queryToParquet(conn, sql, limits, opts.parquetDir));
    try {
      for await (const chunk of createReadStream(done.file)) await write(chunk as Buffer);
    } finally {
      rmSync(done.file, { force: true });
    }
    return { rows: done.rows, bytes };
  }
  let started = false;
  // The header goes out with the first rows (or alone at the end), so a query refused or stopped
  // before its first row is answered as an error, not as a file cut short.
  const head = (columns: string[]) => {
    if (started) return '';
    started = true;
    return format === 'csv' ? `${CSV_BOM}${csvHeader(columns)}` : '';
  };
  const { columns, rowCount } = await turn(() =>
    streamQuery(conn, sql, limits, (cols, rows, types) => {
      const lines = format === 'csv' ? rows.map((r) => csvRow(r, types)) : rows.map((r) => `${jsonRow(cols, r)}\n`);
      return write(head(cols) + lines.join(''));
    }),
  );
  const rest = head(columns);
  if (rest) await write(rest);
  return { rows: rowCount, bytes };
}

/**
 * The last line of an NDJSON or CSV answer cut short (a limit passed or a stop after rows were
 * sent), for a person reading the file; a program should rely on the transfer's failure instead
 * (service/api.ts). NDJSON: `{"edumon_error": "..."}`; CSV: one field `edumon_error: ...`.
 */
export function errorLine(format: AnswerFormat, message: string): string {
  if (format === 'csv') return csvRow([`edumon_error: ${message}`]);
  if (format === 'ndjson') return `${JSON.stringify({ edumon_error: message })}\n`;
  return '';
}

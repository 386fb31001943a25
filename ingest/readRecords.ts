/**
 * Streams records from JSON Lines or CSV files, with the line each came from, without holding
 * the file in memory. A line that cannot be read becomes an error record; reading goes on.
 */
import { UsageError } from '../core/errors.ts';
import { type EventType, isEventType, MAX_MESSAGE_BYTES } from '../domain/contract.ts';
import { coerceCsvRecord } from './csvCoerce.ts';
import { readCsvRows } from './csvRecords.ts';
import type { TextEncoding } from './decodeText.ts';
import { readTextLines } from './readTextLines.ts';

export type FileRecord = { line: number; value: unknown } | { line: number; error: string };
export type FileFormat = 'jsonl' | 'csv';

/** jsonl for .jsonl/.ndjson/.json, csv for .csv; anything else needs --format. */
export function formatOf(file: string, override?: string): FileFormat {
  if (override === 'jsonl' || override === 'csv') return override;
  if (override) throw new UsageError(`--format must be jsonl or csv, not ${override}`);
  if (/\.(jsonl|ndjson|json)$/i.test(file)) return 'jsonl';
  if (/\.csv$/i.test(file)) return 'csv';
  throw new UsageError(`${file}: cannot tell the format from the name; pass --format jsonl or --format csv`);
}

/** One JSON value a line, in the given encoding (UTF-8 by default); blank lines are skipped. */
export async function* readJsonLines(file: string, encoding?: TextEncoding): AsyncGenerator<FileRecord> {
  for await (const { line, text, error } of readTextLines(file, encoding)) {
    if (error !== undefined) {
      yield { line, error };
      continue;
    }
    if (text.trim() === '') continue;
    if (Buffer.byteLength(text) > MAX_MESSAGE_BYTES) {
      yield { line, error: `record is over the ${MAX_MESSAGE_BYTES}-byte limit` };
      continue;
    }
    try {
      yield { line, value: JSON.parse(text) };
    } catch {
      yield { line, error: 'not valid JSON' };
    }
  }
}

/**
 * CSV whose header row names the fields; the type comes from a `type` column or from --type.
 * A record that cannot be read is reported at its line; the records around it are still read.
 */
export async function* readCsv(file: string, type?: EventType, encoding?: TextEncoding): AsyncGenerator<FileRecord> {
  let header: string[] | undefined;
  for await (const row of readCsvRows(file, encoding)) {
    if ('error' in row) {
      yield row;
      continue;
    }
    if (!header) {
      header = row.cells.map((c) => c.trim());
      continue;
    }
    if (row.cells.length !== header.length) {
      yield { line: row.line, error: `the record has ${row.cells.length} cells but the header has ${header.length}` };
      continue;
    }
    const record = Object.fromEntries(header.map((h, i) => [h, row.cells[i]!]));
    const t = record.type || type;
    if (!t) yield { line: row.line, error: 'no type: add a `type` column or pass --type' };
    else if (!isEventType(t)) yield { line: row.line, value: { ...record, type: t } };
    else yield { line: row.line, value: coerceCsvRecord(t, record) };
  }
}

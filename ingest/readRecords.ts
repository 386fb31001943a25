/**
 * Streams records from JSON Lines or CSV files, with the line each came from, without holding
 * the file in memory. A line that cannot be read becomes an error record; reading goes on.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';
import { EdumonError } from '../core/errors.ts';
import { MAX_MESSAGE_BYTES, type EventType, isEventType } from './contract.ts';
import { coerceCsvRecord } from './csvCoerce.ts';

export type FileRecord = { line: number; value: unknown } | { line: number; error: string };
export type FileFormat = 'jsonl' | 'csv';

/** jsonl for .jsonl/.ndjson/.json, csv for .csv; anything else needs --format. */
export function formatOf(file: string, override?: string): FileFormat {
  if (override === 'jsonl' || override === 'csv') return override;
  if (override) throw new EdumonError(`--format must be jsonl or csv, not ${override}`, { exitCode: 2 });
  if (/\.(jsonl|ndjson|json)$/i.test(file)) return 'jsonl';
  if (/\.csv$/i.test(file)) return 'csv';
  throw new EdumonError(`${file}: cannot tell the format from the name; pass --format jsonl or --format csv`, { exitCode: 2 });
}

export async function* readJsonLines(file: string): AsyncGenerator<FileRecord> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line++;
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

/** CSV whose header row names the fields; the type comes from a `type` column or from --type. */
export async function* readCsv(file: string, type?: EventType): AsyncGenerator<FileRecord> {
  const parser = createReadStream(file).pipe(
    parse({ columns: true, bom: true, info: true, relax_column_count: true, skip_empty_lines: true }),
  );
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      const t = record.type || type;
      if (!t) {
        yield { line: info.lines, error: 'no type: add a `type` column or pass --type' };
        continue;
      }
      if (!isEventType(t)) {
        yield { line: info.lines, value: { ...record, type: t } };
        continue;
      }
      yield { line: info.lines, value: coerceCsvRecord(t, record) };
    }
  } catch (err) {
    const e = err as { message: string; lines?: number };
    yield { line: e.lines ?? 0, error: `CSV cannot be parsed from here on: ${e.message.replace(/:.*$/, '')}` };
  }
}

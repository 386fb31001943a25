/**
 * A line-oriented RFC 4180 reader: quoted cells may hold commas, doubled quotes and line breaks.
 * Each record is reported at the line it starts on, and a record that cannot be read (bad CSV,
 * or a line not valid in the file's encoding) is an error for that record alone: reading
 * resumes on the next line, so no valid row is lost.
 */
import type { TextEncoding } from './decodeText.ts';
import { readTextLines, type TextLine } from './readTextLines.ts';

/** A record's cells, or the reason (ready to report) why it cannot be read. */
export type CsvRow = { line: number; cells: string[] } | { line: number; error: string };

const syntaxError = (why: string) => `CSV record cannot be read: ${why}`;

/** A quoted cell may span this many lines before the quote is taken as never closed. */
const MAX_RECORD_LINES = 50;

/** Splits one record's text into cells, or says why it cannot. */
export function parseCsvRecord(text: string): string[] | { error: string } {
  const cells: string[] = [];
  let i = 0;
  for (;;) {
    if (text[i] === '"') {
      let value = '';
      let j = i + 1;
      for (;;) {
        const q = text.indexOf('"', j);
        if (q < 0) return { error: 'a quoted cell is never closed' };
        value += text.slice(j, q);
        if (text[q + 1] === '"') {
          value += '"';
          j = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      cells.push(value);
      if (i === text.length) return cells;
      if (text[i] !== ',') return { error: `unexpected text after a closing quote in cell ${cells.length}` };
      i++;
    } else {
      const comma = text.indexOf(',', i);
      const value = comma < 0 ? text.slice(i) : text.slice(i, comma);
      if (value.includes('"')) return { error: `a quote inside unquoted cell ${cells.length + 1}` };
      cells.push(value);
      if (comma < 0) return cells;
      i = comma + 1;
    }
  }
}

const quotes = (s: string) => {
  let n = 0;
  for (let i = s.indexOf('"'); i >= 0; i = s.indexOf('"', i + 1)) n++;
  return n;
};

/** Streams the records of a CSV file (header row included, as the first record). */
export async function* readCsvRows(file: string, encoding?: TextEncoding): AsyncGenerator<CsvRow> {
  let pending: TextLine[] = [];
  let pendingQuotes = 0;
  const take = () => {
    const taken = pending;
    pending = [];
    pendingQuotes = 0;
    return taken;
  };
  // One line into the record being read; a record is complete when its quotes balance. A line
  // that did not decode still counts its quotes (invalid bytes never decode to one), so the
  // record it belongs to is rejected whole and the next record starts where it should.
  function* feed(l: TextLine): Generator<CsvRow> {
    if (pending.length === 0 && l.error === undefined && l.text.trim() === '') return;
    pending.push(l);
    pendingQuotes += quotes(l.text);
    if (pendingQuotes % 2 === 0) {
      const record = take();
      const line = record[0]!.line;
      const bad = record.find((r) => r.error !== undefined);
      if (bad) {
        yield { line, error: bad.line === line ? bad.error! : `line ${bad.line}: ${bad.error!}` };
        return;
      }
      const cells = parseCsvRecord(record.map((r) => r.text).join('\n'));
      yield Array.isArray(cells) ? { line, cells } : { line, error: syntaxError(cells.error) };
    } else if (pending.length >= MAX_RECORD_LINES) {
      yield* giveUpFirstLine();
    }
  }
  // An unclosed quote: give up on the record's first line only, and re-read the rest.
  function* giveUpFirstLine(): Generator<CsvRow> {
    const [first, ...rest] = take();
    yield { line: first!.line, error: first!.error ?? syntaxError('a quoted cell is never closed') };
    for (const l of rest) yield* feed(l);
  }
  for await (const l of readTextLines(file, encoding)) yield* feed(l);
  while (pending.length > 0) yield* giveUpFirstLine();
}

/**
 * A line-oriented RFC 4180 reader: quoted cells may hold commas, doubled quotes and line breaks.
 * Each record is reported at the line it starts on, and a record that cannot be read is an
 * error for that record alone: reading resumes on the next line, so no valid row is lost.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

export type CsvRow = { line: number; cells: string[] } | { line: number; error: string };

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
export async function* readCsvRows(file: string): AsyncGenerator<CsvRow> {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let pending: Array<{ text: string; line: number }> = [];
  let pendingQuotes = 0;
  const take = () => {
    const taken = pending;
    pending = [];
    pendingQuotes = 0;
    return taken;
  };
  // One line into the record being read; a record is complete when its quotes balance.
  function* feed(text: string, line: number): Generator<CsvRow> {
    if (pending.length === 0 && text.trim() === '') return;
    pending.push({ text, line });
    pendingQuotes += quotes(text);
    if (pendingQuotes % 2 === 0) {
      const record = take();
      const cells = parseCsvRecord(record.map((l) => l.text).join('\n'));
      yield Array.isArray(cells) ? { line: record[0]!.line, cells } : { line: record[0]!.line, error: cells.error };
    } else if (pending.length >= MAX_RECORD_LINES) {
      yield* giveUpFirstLine();
    }
  }
  // An unclosed quote: give up on the record's first line only, and re-read the rest.
  function* giveUpFirstLine(): Generator<CsvRow> {
    const [first, ...rest] = take();
    yield { line: first!.line, error: 'a quoted cell is never closed' };
    for (const l of rest) yield* feed(l.text, l.line);
  }
  let lineNo = 0;
  for await (const raw of lines) {
    lineNo++;
    yield* feed(lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw, lineNo);
  }
  while (pending.length > 0) yield* giveUpFirstLine();
}

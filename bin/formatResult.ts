/**
 * Renders a query result as an aligned table, CSV, or JSON Lines (pure). Cells come from the
 * warehouse, i.e. from event producers: no character in them may act on the reader's terminal.
 */
import type { QueryResult } from '../service/query.ts';

/**
 * C0 and C1 controls (ESC, BEL, CR, LF, CSI...), DEL, line/paragraph separators and the Unicode bidi
 * controls (overrides, embeddings, isolates, marks) that can reorder what a terminal shows.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point: they are escaped so terminal output cannot act on them
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** `text` with every control or bidi character written visibly as `\u001b` (etc.), so it cannot act. */
export function escapeControls(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The result as one string: the lines of formatLines joined by newlines. */
export function formatResult(r: QueryResult, format: 'table' | 'csv' | 'json'): string {
  return [...formatLines(r, format)].join('\n');
}

/**
 * The result line by line (no newlines inside a line, no control characters anywhere), so a
 * caller can write a large result without building it as one string. Needs no stack per row.
 */
export function* formatLines(r: QueryResult, format: 'table' | 'csv' | 'json'): Generator<string> {
  if (format === 'json') {
    // JSON.stringify escapes C0 controls; C1, bidi and U+2028/9 may stand raw in a JSON string, but need not.
    for (const row of r.rows) yield escapeControls(JSON.stringify(Object.fromEntries(r.columns.map((c, i) => [c, row[i] ?? null]))));
    return;
  }
  if (format === 'csv') {
    // RFC 4180: quote a field holding a quote or comma (controls, CR and LF included, are escaped already).
    const esc = (s: string) => (/[",]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
    yield r.columns.map((c) => esc(escapeControls(c))).join(',');
    for (const row of r.rows) yield row.map((v) => esc(cell(v))).join(',');
    return;
  }
  const columns = r.columns.map(escapeControls);
  const widths = columns.map(width);
  const text: string[][] = new Array(r.rows.length);
  for (let n = 0; n < r.rows.length; n++) {
    const cells = r.rows[n]!.map(cell);
    for (let i = 0; i < cells.length; i++) widths[i] = Math.max(widths[i] ?? 0, width(cells[i]!));
    text[n] = cells;
  }
  const line = (cells: string[]) =>
    cells
      .map((c, i) => pad(c, widths[i] ?? 0))
      .join(' │ ')
      .trimEnd();
  yield line(columns);
  yield widths.map((w) => '─'.repeat(w)).join('─┼─');
  for (const cells of text) yield line(cells);
  yield `(${r.rows.length} row${r.rows.length === 1 ? '' : 's'})`;
}

function cell(v: unknown): string {
  return escapeControls(v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
}

/** Display width: CJK characters take two columns. */
function width(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1;
  return w;
}

function pad(s: string, w: number): string {
  return s + ' '.repeat(Math.max(0, w - width(s)));
}

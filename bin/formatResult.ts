/**
 * Renders a query result as an aligned table, CSV, or JSON Lines (pure). Cells come from the
 * warehouse, i.e. from event producers: no character in them may act on the reader's terminal,
 * nor (CSV) on the spreadsheet that opens it.
 */

import { CSV_BOM } from '../core/csv.ts';
import { visibleText } from '../core/text.ts';
import type { QueryResult } from '../service/query.ts';
import { cellText as cell, csvHeader, csvRow, jsonRow } from '../service/rowText.ts';

/** The result as one string: the CSV text (csvText), or the lines of formatLines joined by newlines. */
export function formatResult(r: QueryResult, format: 'table' | 'csv' | 'json'): string {
  return format === 'csv' ? [...csvText(r)].join('') : [...formatLines(r, format)].join('\n');
}

/**
 * The result as CSV, line by line, each line with its CRLF and the first after a byte order mark:
 * the same dialect and bytes as `--out FILE` and the API write (core/csv.ts). `r.columnTypes`, when
 * given, keep a numeric column's negative numbers as numbers.
 */
export function* csvText(r: QueryResult): Generator<string> {
  yield `${CSV_BOM}${csvHeader(r.columns)}`;
  for (const row of r.rows) yield csvRow(row, r.columnTypes);
}

/**
 * The result line by line as a table or JSON Lines (no newlines inside a line, no control
 * characters anywhere), so a caller can write a large result without building it as one string.
 * Needs no stack per row.
 */
export function* formatLines(r: QueryResult, format: 'table' | 'json'): Generator<string> {
  if (format === 'json') {
    for (const row of r.rows) yield jsonRow(r.columns, row);
    return;
  }
  const columns = r.columns.map(visibleText);
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

/** Display width: CJK characters take two columns. */
function width(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1;
  return w;
}

function pad(s: string, w: number): string {
  return s + ' '.repeat(Math.max(0, w - width(s)));
}

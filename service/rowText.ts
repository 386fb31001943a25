/**
 * Query rows as text, one line each: CSV (RFC 4180) and JSON Lines, for the terminal (bin/formatResult.ts),
 * files (`edumon query --out`) and the API's streamed answers alike (pure). Cells come from the
 * warehouse, i.e. from event producers: no character in them may act on a reader's terminal
 * (core/text.ts visibleText).
 */
import { visibleText } from '../core/text.ts';

/** One cell as text: empty for NULL, JSON for a list or struct, controls escaped. */
export function cellText(v: unknown): string {
  return visibleText(v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
}

/** RFC 4180 section 2: a field holding a quote or comma is quoted, its quotes doubled (CR and LF are escaped already). */
const csvField = (s: string) => (/[",]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** The CSV header line of `columns` (RFC 4180 section 2, rule 3), without its line break. */
export function csvHeader(columns: readonly string[]): string {
  return columns.map((c) => csvField(visibleText(c))).join(',');
}

/** One row as a CSV line (RFC 4180), without its line break. */
export function csvRow(row: readonly unknown[]): string {
  return row.map((v) => csvField(cellText(v))).join(',');
}

/**
 * One row as a JSON object on one line (JSON Lines), keyed by column. JSON.stringify escapes C0
 * controls; C1, bidi and U+2028/9 are written as \u escapes too, which JSON reads back unchanged.
 */
export function jsonRow(columns: readonly string[], row: readonly unknown[]): string {
  return visibleText(JSON.stringify(Object.fromEntries(columns.map((c, i) => [c, row[i] ?? null]))));
}

/** The byte order mark that makes Excel and WPS read a CSV file as UTF-8 (else Chinese shows garbled). */
export const UTF8_BOM = '\ufeff';

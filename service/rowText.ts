/**
 * Query rows as text, one line each: CSV (core/csv.ts, edumon's one CSV dialect) and JSON Lines,
 * for the terminal (bin/formatResult.ts), files (`edumon query --out`) and the API's streamed
 * answers alike (pure). Cells come from the warehouse, i.e. from event producers: no character in
 * them may act on a reader's terminal (core/text.ts visibleText) or spreadsheet (core/csv.ts csvField).
 */
import { csvField, csvLine } from '../core/csv.ts';
import { visibleText } from '../core/text.ts';

/** One cell as text: empty for NULL, JSON for a list or struct, controls escaped. */
export function cellText(v: unknown): string {
  return visibleText(rawText(v));
}

const rawText = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/**
 * DuckDB's numeric types (DuckDB docs, "Numeric Types"): a column of one of them holds numbers,
 * whatever JavaScript type they arrive as (BIGINT, HUGEINT and DECIMAL come as strings, to keep
 * their precision).
 */
const NUMERIC_TYPE = /^(?:U?(?:TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)|UHUGEINT|VARINT|BIGNUM|FLOAT|DOUBLE|DECIMAL(?:\(\d+,\s*\d+\))?)$/;

/** Whether the DuckDB type named `type` (as `columnTypes` name it: `BIGINT`, `DECIMAL(18,2)`) is a number type. */
export function isNumericType(type: string | undefined): boolean {
  return type !== undefined && NUMERIC_TYPE.test(type);
}

/** The CSV header line of `columns`, with its CRLF (RFC 4180 section 2, rule 3). */
export function csvHeader(columns: readonly string[]): string {
  return csvLine(columns.map((c) => csvField(c)));
}

/**
 * One row as a CSV line with its CRLF. `columnTypes` (DuckDB type names, one per column) tell
 * numbers from text: a number from a numeric column is written as the number it is (`-3` stays
 * `-3`), everything else as text that cannot start a formula (core/csv.ts csvField). Without
 * types, only a JavaScript number is taken as one.
 */
export function csvRow(row: readonly unknown[], columnTypes: readonly string[] = []): string {
  return csvLine(
    row.map((v, i) =>
      csvField(v === null || v === undefined ? null : rawText(v), typeof v === 'number' || typeof v === 'bigint' || isNumericType(columnTypes[i])),
    ),
  );
}

/**
 * One row as a JSON object on one line (JSON Lines), keyed by column. JSON.stringify escapes C0
 * controls; C1, bidi and U+2028/9 are written as \u escapes too, which JSON reads back unchanged.
 */
export function jsonRow(columns: readonly string[], row: readonly unknown[]): string {
  return visibleText(JSON.stringify(Object.fromEntries(columns.map((c, i) => [c, row[i] ?? null]))));
}

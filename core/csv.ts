/**
 * edumon's one CSV dialect, for every CSV it writes (`edumon query --format csv` to the terminal or
 * `--out FILE`, `POST /query {"format":"csv"}`, the alert email's `alerts.csv`): RFC 4180 (a header
 * row, fields separated by commas, quoted when needed with quotes doubled, every line ending in
 * CRLF, the last one included) in UTF-8 with a byte order mark, so Excel and WPS read Chinese.
 * Cells are safe to open in a spreadsheet: control characters are written visibly
 * (core/text.ts visibleText) and no text cell can start a formula (OWASP, CSV Injection). Pure.
 */
import { visibleText } from './text.ts';

/** The byte order mark every CSV starts with: without it Excel and WPS read UTF-8 as the ANSI code page (GBK) and garble Chinese. */
export const CSV_BOM = '\ufeff';

/** The line break after every CSV line (RFC 4180 section 2, rule 1). */
export const CSV_EOL = '\r\n';

/**
 * The first characters that make a spreadsheet (Excel, WPS, LibreOffice, Google Sheets) read a
 * cell as a formula: OWASP's CSV Injection list (= + - @ tab CR). Tab and CR never lead a cell
 * edumon writes (visibleText writes them as `\u0009`, `\u000d`); they are here so the rule holds alone.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** A number as JavaScript and DuckDB write one (`-3`, `-3.50`, `1e+30`): what a spreadsheet reads as a number, never a formula. */
const NUMBER = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** RFC 4180 section 2 rules 6 and 7, and `;` for spreadsheets whose locale splits on it (a quoted `;` stays in its cell). */
const NEEDS_QUOTES = /[",;\r\n]/;

/**
 * One CSV field: `value` (null: an empty field) with control and bidi characters written visibly,
 * prefixed with `'` when it would start with = + - @ tab or CR (OWASP CSV Injection: a spreadsheet
 * then shows `'=HYPERLINK(...)` as text instead of running it), then quoted with its quotes doubled
 * when it holds a quote, comma, semicolon or line break (RFC 4180 section 2).
 *
 * `numeric` says the value is a number from a numeric column (INTEGER, BIGINT, DECIMAL, DOUBLE...):
 * a negative number such as `-3` or `-3.50` is then kept as it is, so the spreadsheet reads the
 * number -3, not the text `'-3`. Only a plain number literal is kept: a numeric column's
 * `-Infinity` is prefixed like text, and text that looks like a number (a school named `-3`, or
 * `-2+3`) is always prefixed, because only the column's type, never the text, tells data from a formula.
 */
export function csvField(value: string | null, numeric = false): string {
  if (value === null) return '';
  let text = visibleText(value);
  if (FORMULA_START.test(text) && !(numeric && NUMBER.test(text))) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV line of already-written fields (csvField), with its CRLF. */
export function csvLine(fields: readonly string[]): string {
  return `${fields.join(',')}${CSV_EOL}`;
}

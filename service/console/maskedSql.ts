/**
 * An analyst's statement, or DuckDB's error about it, as the audit trail and the log keep it: the
 * shape of the query without the values typed into it. A personal identifier an analyst typed (a
 * 学籍号 in a string literal, an ID card number as a number) must not reach the audit table in raw
 * form, and the audit needs only what was asked.
 */

/** String literals ('…', $tag$…$tag$) and runs of 7 or more digits, each replaced by `?`. */
const LITERALS = /'(?:[^']|'')*'?|\$([A-Za-z_]*)\$[\s\S]*?(?:\$\1\$|$)|\d{7,}/g;

/**
 * `text` with its literals masked (LITERALS) and cut to `max` characters, for the audit trail.
 * Region (6 digits) and school codes stay readable; a township code (9 digits) is masked too.
 */
export function maskedSql(text: string, max: number): string {
  return text.replace(LITERALS, '?').slice(0, max);
}

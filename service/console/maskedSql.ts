/**
 * An analyst's statement, or DuckDB's error about it, as the audit trail and the log keep it: the
 * shape of the query without the values typed into it. A personal identifier an analyst typed (a
 * 学籍号 in a string literal, an ID card number as a number, a name in a comment or in double
 * quotes) must not reach the audit table in raw form, and the audit needs only what was asked.
 */

/** String literals ('…', $tag$…$tag$), comments (-- …, /* … *\/), double-quoted names, runs of 7+ digits. */
const TYPED = /'(?:[^']|'')*'?|\$([A-Za-z_]*)\$[\s\S]*?(?:\$\1\$|$)|--[^\n]*|\/\*[\s\S]*?(?:\*\/|$)|"(?:[^"]|"")*"?|\d{7,}/g;
/** A double-quoted name that is a plain SQL word ("at", "partition"): a column, kept. */
const PLAIN_NAME = /^"[A-Za-z_][A-Za-z0-9_]*"$/;

/**
 * `text` with what was typed into it masked (TYPED: each literal, quoted name other than a plain
 * word, and long number becomes `?`; each comment `/*?*\/`), cut to `max` characters, for the audit
 * trail. Region (6 digits) and school codes stay readable; a township code (9 digits) is masked too.
 */
export function maskedSql(text: string, max: number): string {
  return text
    .replace(TYPED, (m) => {
      if (m.startsWith('--') || m.startsWith('/*')) return '/*?*/';
      if (m.startsWith('"') && PLAIN_NAME.test(m)) return m;
      return '?';
    })
    .slice(0, max);
}

/**
 * Identifiers as the contract compares them (docs/contract.md, "Identifiers"). Rosters typed by
 * hand or exported from spreadsheets spell one id several ways: a trailing space in a cell,
 * full-width characters from a Chinese input method, a lower-case x at the end of an ID card
 * number. Each spelling would get its own pseudonym and one person would become two, so every
 * identifier is normalised here, once, before it is validated, compared or pseudonymised.
 */

/**
 * Unicode NFKC (full-width letters, digits, hyphens and spaces become ASCII) and surrounding
 * whitespace trimmed (U+3000 ideographic space and no-break space included). Case is kept.
 */
export function normalizeId(s: string): string {
  // Printable ASCII with no space at either end (nearly every id) is already normal: NFKC maps
  // no ASCII character, and there is nothing to trim.
  if (PLAIN_ASCII.test(s)) return s;
  return s.normalize('NFKC').trim();
}

/** normalizeId, then upper case: 学籍号, ID card and payroll numbers do not distinguish case. */
export function normalizePersonId(s: string): string {
  if (PLAIN_ASCII.test(s) && !LOWER_ASCII.test(s)) return s;
  return normalizeId(s).toUpperCase();
}

const PLAIN_ASCII = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;
const LOWER_ASCII = /[a-z]/;

/** How a spreadsheet shows a number too long for it, e.g. 4.10821E+17. */
const sciNotation = /^(\d)(?:\.(\d+))?E([+-]\d+)$/i;

/**
 * Why an (already normalised) identifier cannot be used, if it is a number in scientific
 * notation: Excel keeps 15 significant digits and shows 6, so two long ids become one. The
 * reason gives the shape (digits as d), never the value.
 */
export function sciNotationProblem(id: string): string | undefined {
  const m = sciNotation.exec(id);
  if (!m) return undefined;
  const shape = `d${m[2] === undefined ? '' : `.${'d'.repeat(m[2].length)}`}E${m[3]}`;
  return `looks like a number in scientific notation (${shape}): Excel rounds long ids, so different people become one; format the column as text and export it again`;
}

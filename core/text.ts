/**
 * Text that people read, made safe and laid out: producer text (rejection reasons, rule errors,
 * school names, ids) shown without any character that could act on the reader (a terminal, an
 * email client, a workbook), cut by code points, and measured in terminal columns for plain-text
 * tables. Pure.
 */

/**
 * C0 and C1 controls (ESC, BEL, CR, LF, CSI...), DEL, line and paragraph separators, the Unicode
 * bidi controls (overrides, embeddings, isolates, marks) that reorder what a reader sees, and lone
 * surrogates (which no encoder can write).
 */
const UNSAFE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point: they are shown escaped so they cannot act
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** `text` with every control, bidi or lone-surrogate unit written visibly as `\u202e` (etc.), so it cannot act. */
export function visibleText(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `text` cut to at most `max` code points (ending in …), never inside a surrogate pair. */
export function shorten(text: string, max: number): string {
  const points = Array.from(text);
  return points.length <= max ? text : `${points.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/** Terminal columns of `text`: East Asian wide and full-width characters take two (Unicode UAX #11, the W and F ranges that matter here). */
export function columns(text: string): number {
  let n = 0;
  for (const c of text) {
    const p = c.codePointAt(0)!;
    const wide =
      (p >= 0x1100 && p <= 0x115f) ||
      (p >= 0x2e80 && p <= 0xa4cf) ||
      (p >= 0xac00 && p <= 0xd7a3) ||
      (p >= 0xf900 && p <= 0xfaff) ||
      (p >= 0xfe30 && p <= 0xfe4f) ||
      (p >= 0xff00 && p <= 0xff60) ||
      (p >= 0xffe0 && p <= 0xffe6) ||
      (p >= 0x20000 && p <= 0x3fffd);
    n += wide ? 2 : 1;
  }
  return n;
}

/**
 * Producer text (rejection reasons, rule errors, alert and school ids) made harmless before the
 * digest shows it, in the email or a workbook cell: C0 and C1 controls, DEL, line and paragraph
 * separators, the bidi controls that reorder what a reader sees, and lone surrogates are written
 * visibly (`\u202e`). The same set alerts/notify/render.ts shows escaped in the alert email.
 */
const UNSAFE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point: they are shown escaped so they cannot act
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** `text` with every control, bidi or lone-surrogate unit written as `\uXXXX`, so it cannot act. */
export function visibleText(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Data for a page's script, as JSON inside `<script type="application/json" id="...">`: data, never
 * run, so the console's CSP (scripts from /static only) allows it, and the script reads it with
 * JSON.parse(el.textContent).
 */

/**
 * `value` as JSON with `<`, `>` and `&` written as \u003c, \u003e and \u0026 (the same JSON to a
 * parser), so no value (`</script>`, `<!--`) can end the element or change how the page is read;
 * U+2028 and U+2029 escaped too. Throws what JSON.stringify throws (a cycle, a BigInt).
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

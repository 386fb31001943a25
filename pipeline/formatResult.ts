/** Renders a query result as an aligned table, CSV, or JSON Lines (pure). */
import type { QueryResult } from './readQuery.ts';

export function formatResult(r: QueryResult, format: 'table' | 'csv' | 'json'): string {
  if (format === 'json') {
    return r.rows.map((row) => JSON.stringify(Object.fromEntries(r.columns.map((c, i) => [c, row[i] ?? null])))).join('\n');
  }
  const cell = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  if (format === 'csv') {
    const esc = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
    return [r.columns.map(esc).join(','), ...r.rows.map((row) => row.map((v) => esc(cell(v))).join(','))].join('\n');
  }
  const text = r.rows.map((row) => row.map(cell));
  const widths = r.columns.map((c, i) => Math.max(width(c), ...text.map((row) => width(row[i] ?? ''))));
  const line = (cells: string[]) => cells.map((c, i) => pad(c, widths[i]!)).join(' │ ').trimEnd();
  return [
    line(r.columns),
    widths.map((w) => '─'.repeat(w)).join('─┼─'),
    ...text.map(line),
    `(${r.rows.length} row${r.rows.length === 1 ? '' : 's'})`,
  ].join('\n');
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

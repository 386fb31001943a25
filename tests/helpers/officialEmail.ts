/**
 * One violation as the alert email an official receives (the alerts table's row, made an email
 * item by alerts/notify/notifyRound.ts emailItemOf, rendered by alerts/notify/render.ts), and what
 * in its Chinese text an official should never read (issue 22): a rule's key, a snake_case word,
 * `none:`, a measured number without its unit.
 */
import { alertIdOf, alertText } from '../../alerts/evaluate.ts';
import type { RenderedEmail } from '../../alerts/notify/model.ts';
import { type Catalogue, emailItemOf } from '../../alerts/notify/notifyRound.ts';
import { renderEmail } from '../../alerts/notify/render.ts';
import type { Violation } from '../../domain/violation.ts';

/** The email of one new alert of `v` to a county bureau reading Chinese, as of `at`. */
export function emailOfViolation(v: Violation, catalogue: Catalogue, schoolNames: ReadonlyMap<string, string>, at: string): RenderedEmail {
  const alert = {
    ...v,
    id: alertIdOf(v),
    severity: catalogue.get(v.rule)?.severity ?? 'critical',
    status: 'open' as const,
    occurrence: 1,
    opened_at: at,
    last_seen_at: at,
    resolved_at: null,
    observed: alertText(v.observed),
    threshold: alertText(v.threshold),
    acked_at: null,
    reopensLastDay: 0,
  };
  const item = emailItemOf({ kind: 'open', alert, flapCount: null }, catalogue, schoolNames, 'zh-CN', null);
  return renderEmail({
    id: `e-${alert.id}`,
    recipient: { id: 'bureau', name: '县教育局', email: 'bureau@example.cn', minSeverity: 'info', language: 'zh-CN' },
    scopeRegion: v.region_code,
    items: [item],
    composedAt: at,
    maxItemsInBody: 50,
  });
}

/**
 * What a Chinese reader should not meet in `email` (subject, plain text, and the HTML's text): each
 * of `keys` as a word (`outdoor`, `payroll`), a snake_case word, `none:`, the bare 观测值 label, and
 * in the 结果 line a number not followed by one of `units`. Empty when it reads right.
 */
export function unreadableParts(email: RenderedEmail, keys: readonly string[], units: readonly string[]): string[] {
  const html = email.html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
  // The plain text wraps long lines with a four-space indent: join them back.
  const text = email.text.replace(/\n {4}/g, '');
  const found: string[] = [];
  for (const body of [email.subject, text, html]) {
    for (const key of keys) if (new RegExp(`(?<![A-Za-z0-9_.-])${literal(key)}(?![A-Za-z0-9_-])`).test(body)) found.push(`key '${key}'`);
    for (const m of body.matchAll(/\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b/g)) found.push(`snake_case '${m[0]}'`);
    if (body.includes('none:')) found.push("'none:'");
    if (body.includes('观测值')) found.push("bare '观测值'");
  }
  const unit = new RegExp(
    `^ ?(?:${[...units]
      .sort((a, b) => b.length - a.length)
      .map(literal)
      .join('|')})`,
  );
  for (const line of text.split('\n').filter((l) => l.trimStart().startsWith('结果：'))) {
    for (const m of line.matchAll(/\d[\d,]*(?:\.\d+)?/g)) {
      if (!unit.test(line.slice(m.index + m[0].length))) found.push(`number ${m[0]} without a unit in '${line.trim()}'`);
    }
  }
  return [...new Set(found)];
}

const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

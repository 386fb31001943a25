/**
 * The email renderer, the last pure stage of notification: one EmailModel (alerts/notify/model.ts)
 * becomes a subject, an email-safe HTML body, the same content as plain text, and (only when the
 * body cannot list every alert) a CSV of all of them. No clock, no I/O: every time shown is
 * computed from the model, in Asia/Shanghai (core/shanghai.ts) whatever the host's TZ.
 *
 * Values come from event producers (school names, codes, event ids), so every one is made harmless
 * before it is shown: control and bidi characters are written visibly (`\u202e`), HTML is escaped,
 * no CSV cell can start a formula (core/csv.ts, shared with every CSV edumon writes).
 */
import { CSV_BOM, csvField, csvLine } from '../../core/csv.ts';
import { EdumonError } from '../../core/errors.ts';
import { regionName } from '../../core/regions.ts';
import { formatShanghai } from '../../core/shanghai.ts';
import { columns, shorten, visibleText } from '../../core/text.ts';
import { emailHtml, escapeHtml as esc, HTML_MAX_BYTES } from '../emailHtml.ts';
import { policyWords, resultWords, subjectWords } from '../resultWords.ts';
import type { Severity } from '../rules.ts';
import type { EmailItem, EmailModel, NoticeKind, RenderedEmail } from './model.ts';
import { type Wording, wordingFor } from './wording.ts';

/** The attachment's name. */
export const CSV_FILENAME = 'alerts.csv';

/**
 * Longest subject, in code points: mail clients show about 60 to 80 characters, and three long
 * English rule titles would make a subject of 250. Cut by code point, so a CJK Extension B
 * character (𠮷, two UTF-16 units) is never split.
 */
const SUBJECT_MAX = 160;
/** A school name longer than this (the contract allows 200) is shortened in the body, kept whole in the CSV: it keeps 50 items under Gmail's 102 KB clip. */
const BODY_NAME_MAX = 60;
/** The plain-text body wraps long values at this many terminal columns (CJK characters count two). */
const TEXT_COLUMNS = 96;

type SectionKey = 'new' | 'escalate' | 'renotify' | 'resolve';
/** The body's sections in order, and the notices each holds. */
const SECTIONS: ReadonlyArray<{ key: SectionKey; kinds: readonly NoticeKind[] }> = [
  { key: 'new', kinds: ['open', 'reopen'] },
  { key: 'escalate', kinds: ['escalate'] },
  { key: 'renotify', kinds: ['renotify'] },
  { key: 'resolve', kinds: ['resolve'] },
];
const RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };
const COLOR: Record<Severity, string> = { critical: '#b91c1c', warning: '#b45309', info: '#1d4ed8' };
const RESOLVED_COLOR = '#15803d';

/**
 * The email for `model`, in `model.recipient.language` (Chinese unless 'en'): the body lists the
 * first `model.maxItemsInBody` alerts, or fewer (one at least) when that many would make
 * HTML_MAX_BYTES of HTML or more (alerts/emailHtml.ts: Gmail's clip), and then says so and
 * attaches the CSV of all of them. Throws EdumonError for a model without items: an email that
 * tells nothing must not reach the outbox.
 */
export function renderEmail(model: EmailModel): RenderedEmail {
  if (model.items.length === 0) throw new EdumonError(`email ${model.id} has no alerts to tell: the policy should not have composed it`);
  const w = wordingFor(model.recipient.language);
  const sections = sectionsOf(model.items);
  const ordered = sections.flatMap((s) => s.items);
  const subject = subjectOf(model, sections, w);
  const bodyOf = (limit: number) => {
    const shown = new Set(ordered.slice(0, limit));
    const bodySections = sections.map((s) => ({ ...s, items: s.items.filter((i) => shown.has(i)) })).filter((s) => s.items.length > 0);
    const more = ordered.length > shown.size ? w.moreInAttachment(shown.size, ordered.length, CSV_FILENAME) : null;
    // The footer says to acknowledge through the link only when an alert shown has one.
    const footer = [...shown].some((i) => linksOf(i, w).length > 1) ? w.footerWithLinks : w.footer;
    const ctx: Ctx = { w, model, more, footer };
    const html = htmlOf(subject, bodySections, sections, ctx);
    return { bodySections, ctx, html, fits: Buffer.byteLength(html, 'utf8') < HTML_MAX_BYTES };
  };
  const max = Math.min(ordered.length, Math.max(0, Math.floor(model.maxItemsInBody)));
  let body = bodyOf(max);
  if (!body.fits && max > 1) {
    // The most alerts that fit, found by halving: a few renderings, even for 500 alerts.
    let [lo, hi] = [1, max - 1];
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (bodyOf(mid).fits) lo = mid;
      else hi = mid - 1;
    }
    body = bodyOf(lo);
  }
  const { bodySections, ctx, html } = body;
  return {
    subject,
    html,
    text: textOf(subject, bodySections, sections, ctx),
    attachments: ctx.more ? [{ filename: CSV_FILENAME, contentType: 'text/csv; charset=utf-8', content: csvOf(ordered, w, model.recipient.language) }] : [],
  };
}

interface Section {
  key: SectionKey;
  items: EmailItem[];
}

interface Ctx {
  w: Wording;
  model: EmailModel;
  more: string | null;
  footer: string;
}

/** The items by section, each most severe first, then by rule, then by school (stable: ties keep the model's order). */
function sectionsOf(items: readonly EmailItem[]): Section[] {
  const bySeverity = (a: EmailItem, b: EmailItem) =>
    (RANK[a.severity] ?? 0) - (RANK[b.severity] ?? 0) ||
    cmp(a.rule, b.rule) ||
    cmp(a.schoolCode ?? '', b.schoolCode ?? '') ||
    cmp(a.schoolName ?? '', b.schoolName ?? '');
  return SECTIONS.map(({ key, kinds }) => ({ key, items: items.filter((i) => kinds.includes(i.kind)).sort(bySeverity) }));
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

// ---------------------------------------------------------------- subject

function subjectOf(model: EmailModel, sections: readonly Section[], w: Wording): string {
  const count = (key: SectionKey) => sections.find((s) => s.key === key)!.items.length;
  const region = subjectRegion(model, w);
  const fresh = sections.find((s) => s.key === 'new')!.items;
  const also = (keys: SectionKey[]) => {
    const parts = keys.flatMap((k) => {
      const n = count(k);
      if (n === 0) return [];
      return [k === 'escalate' ? w.alsoEscalated(n) : k === 'renotify' ? w.alsoUnacknowledged(n) : w.alsoResolved(n)];
    });
    return parts.length ? w.also(parts) : '';
  };
  let subject: string;
  if (fresh.length > 0) {
    const worst = fresh[0]!.severity;
    subject = `${w.tag(w.severity[worst] ?? worst)}${w.newAlerts(region, fresh.length, perRule(fresh, w))}${also(['escalate', 'renotify', 'resolve'])}`;
  } else if (count('escalate') > 0) {
    subject = `${w.tag(w.escalateLabel)}${w.escalated(region, count('escalate'))}${also(['renotify', 'resolve'])}`;
  } else if (count('renotify') > 0) {
    subject = `${w.tag(w.reminderLabel)}${w.unacknowledged(region, count('renotify'))}${also(['resolve'])}`;
  } else {
    subject = `${w.tag(w.resolvedLabel)}${w.resolved(region, count('resolve'))}`;
  }
  // A subject is one header line: no control character may end it or reorder it.
  return shorten(visibleText(subject), SUBJECT_MAX);
}

/**
 * Who the email is about: the school, when every item is about one the registry names (its name
 * leads with its county's, or is given after it); else the items' region if they all share one;
 * else the recipient's scope region, else (data team) 数据质量.
 */
function subjectRegion(model: EmailModel, w: Wording): string {
  const names = new Set(model.items.map((i) => i.regionName));
  const only = names.size === 1 ? [...names][0] : null;
  const schools = new Set(model.items.map((i) => i.schoolName));
  const school = schools.size === 1 ? [...schools][0] : null;
  if (school) return only && !school.startsWith(only) ? `${only} ${school}` : school;
  if (only) return only;
  return model.scopeRegion ? regionName(model.scopeRegion, model.recipient.language) : w.dataQuality;
}

/** `超计划招生 2，违规跨区域招生 1`: each rule title with its count, most frequent first, at most three, then 等. */
function perRule(items: readonly EmailItem[], w: Wording): string {
  const counts = new Map<string, number>();
  for (const i of items) counts.set(i.ruleTitle, (counts.get(i.ruleTitle) ?? 0) + 1);
  // Map keeps first appearance (most severe first), so ties stay in that order under a stable sort.
  const ranked = [...counts].sort((a, b) => b[1] - a[1]);
  const named = ranked.slice(0, 3).map(([title, n]) => w.ruleCount(title, n));
  return named.join(w.listSeparator) + (ranked.length > 3 ? w.andMore : '');
}

// ---------------------------------------------------------------- what every body shows

/** One labelled line of an item: label and value as plain text (escaped where they are used). */
interface Field {
  label: string | null;
  value: string;
}

/**
 * An item's title parts and its lines, shared by the HTML and the text body so both say the same.
 * `prev` is the item shown just before it in its section: when both cite the same clause, this one
 * says 同上 instead of repeating it (items of a rule are listed together, and fifty alerts of one
 * rule would otherwise repeat its clause fifty times, past Gmail's 102 KB clip).
 */
function describe(item: EmailItem, prev: EmailItem | undefined, ctx: Ctx): { badge: string; title: string; note: string; fields: Field[][] } {
  const { w, model } = ctx;
  const lines: Field[][] = [];
  if (item.schoolCode !== null || item.schoolName !== null) {
    const name = item.schoolName === null ? w.unregisteredSchool : shorten(item.schoolName, BODY_NAME_MAX);
    lines.push([{ label: w.school, value: item.schoolCode === null ? name : w.withCode(name, item.schoolCode) }]);
  }
  const where: Field[] = [];
  if (item.regionName !== null || item.regionCode !== null) where.push({ label: w.region, value: item.regionName ?? item.regionCode! });
  if (item.period) where.push({ label: w.period, value: item.period });
  const language = model.recipient.language;
  const subject = subjectWords(item.says, item.subject, language);
  if (subject !== null) where.push({ label: w.subject, value: subject });
  if (where.length) lines.push(where);
  const result = resultWords(item.says, item, language);
  if (result !== null) lines.push([{ label: w.result, value: result }]);
  lines.push([{ label: w.firstSeen, value: timeText(item.firstSeen, w) }]);
  if (item.kind === 'resolve' && item.resolvedAt !== null) lines.push([{ label: w.resolvedAt, value: timeText(item.resolvedAt, w) }]);
  if (item.kind === 'renotify' || item.kind === 'escalate') {
    const d = durationText(item.firstSeen, model.composedAt, w);
    if (d) lines.push([{ label: null, value: w.openFor(d) }]);
  }
  const sameClause = prev !== undefined && item.policy !== '' && prev.policy === item.policy;
  lines.push([{ label: w.policy, value: sameClause ? w.sameAsAbove : policyWords(item.policy, language) }]);
  if (item.eventId !== null) lines.push([{ label: w.eventId, value: item.eventId }]);
  const tail: Field[] = [{ label: null, value: w.occurrence(item.occurrence) }];
  if (item.flapCount !== null) tail.push({ label: null, value: w.flap(item.flapCount) });
  if (item.acknowledged) tail.push({ label: null, value: w.acknowledged });
  tail.push({ label: w.alertId, value: item.alertId });
  lines.push(tail);
  return { badge: w.severity[item.severity] ?? item.severity, title: item.ruleTitle, note: `${item.rule} · ${w.kind[item.kind] ?? item.kind}`, fields: lines };
}

/** `2025-07-12 10:55（北京时间）`, or the value as given if it is no time. */
function timeText(iso: string, w: Wording): string {
  const s = formatShanghai(iso);
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(s) ? w.time(`${s.slice(0, 10)} ${s.slice(11, 16)}`) : iso;
}

/** How long from `from` to `to` (days and hours, or hours and minutes), or null if either is no time or it is negative. */
function durationText(from: string, to: string, w: Wording): string | null {
  const ms = Date.parse(to) - Date.parse(from);
  if (!Number.isFinite(ms) || ms < 0) return null;
  const minutes = Math.floor(ms / 60_000);
  return w.duration(Math.floor(minutes / 1440), Math.floor((minutes % 1440) / 60), minutes % 60);
}

function sectionTitle(key: SectionKey, shownCount: number, all: readonly Section[], w: Wording): string {
  const total = all.find((s) => s.key === key)!.items.length;
  return w.heading(w.sections[key], shownCount === total ? String(total) : `${shownCount}/${total}`);
}

// ---------------------------------------------------------------- HTML

const LABEL = 'color:#666';
const LINK = 'color:#1d4ed8';

function htmlOf(subject: string, body: readonly Section[], all: readonly Section[], ctx: Ctx): string {
  const { w, model } = ctx;
  const lang = model.recipient.language === 'en' ? 'en' : 'zh-CN';
  const out: string[] = [];
  out.push(
    `<tr><td style="padding:16px 24px 4px;font-size:14px;line-height:22px">${esc(w.greeting(model.recipient.name))}<br>${labelHtml(w, w.composedAt, timeText(model.composedAt, w))}</td></tr>`,
  );
  if (ctx.more) out.push(`<tr><td style="padding:8px 24px;font-size:14px;line-height:22px;color:#92400e;background:#fffbeb">${esc(ctx.more)}</td></tr>`);
  for (const section of body) {
    out.push(
      `<tr><td style="padding:16px 24px 4px;font-size:16px;line-height:24px;font-weight:bold;border-bottom:2px solid #e5e7eb">${esc(sectionTitle(section.key, section.items.length, all, w))}</td></tr>`,
    );
    for (const [i, item] of section.items.entries()) out.push(itemHtml(item, section.items[i - 1], ctx));
  }
  out.push(`<tr><td style="padding:16px 24px;font-size:12px;line-height:18px;color:#6b7280;border-top:1px solid #e5e7eb">${esc(ctx.footer)}</td></tr>`);
  const page = { lang, title: subject, id: 'edumon-email', width: 600, margin: '16px 8px', banner: subject } as const;
  return emailHtml({ ...page, bannerStyle: 'padding:16px 24px;font-size:18px;line-height:26px;overflow-wrap:anywhere;word-wrap:break-word' }, out);
}

function itemHtml(item: EmailItem, prev: EmailItem | undefined, ctx: Ctx): string {
  const { w } = ctx;
  const d = describe(item, prev, ctx);
  const color = item.kind === 'resolve' ? RESOLVED_COLOR : (COLOR[item.severity] ?? COLOR.critical);
  const lines = d.fields.map((line) => line.map((f) => (f.label === null ? esc(f.value) : labelHtml(w, f.label, f.value))).join('　'));
  // Kept lean: 50 of these must stay under Gmail's 102 KB clip with the longest values (tests/unit/renderEmail.test.ts).
  return (
    `<tr><td style="padding:8px 24px"><table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr>` +
    `<td style="border-left:4px solid ${color};padding:6px 12px;font-size:13px;line-height:20px;color:#374151;overflow-wrap:anywhere;word-wrap:break-word">` +
    `<span style="padding:0 6px;background:${color};color:#ffffff;font-size:12px">${esc(d.badge)}</span> ` +
    `<b style="font-size:15px;color:#111827">${esc(d.title)}</b> <span style="${LABEL};font-size:12px">${esc(d.note)}</span><br>` +
    `${lines.join('<br>')}${linksHtml(item, w)}</td></tr></table></td></tr>`
  );
}

/** The alert's links on a line of their own, or nothing: plain links with their words as text, the URLs escaped like every value. */
function linksHtml(item: EmailItem, w: Wording): string {
  const links = linksOf(item, w);
  return links.length ? `<br>${links.map((l) => `<a href="${esc(l.url)}" style="${LINK}">${esc(l.label)}</a>`).join('　')}` : '';
}

/** An item's links, view first: none without console links, and no acknowledge link for an alert already acknowledged. */
function linksOf(item: EmailItem, w: Wording): Array<{ label: string; url: string }> {
  if (item.links === null) return [];
  const view = { label: w.viewAlert, url: item.links.view };
  return item.acknowledged ? [view] : [view, { label: w.ackAlert, url: item.links.ack }];
}

/** A gray label, then its value: the label split from `w.labelled` so each language keeps its own colon. */
function labelHtml(w: Wording, label: string, value: string): string {
  const whole = w.labelled(label, value);
  const head = whole.slice(0, whole.length - value.length);
  return `<span style="${LABEL}">${esc(head)}</span>${esc(value)}`;
}

// ---------------------------------------------------------------- plain text

function textOf(subject: string, body: readonly Section[], all: readonly Section[], ctx: Ctx): string {
  const { w, model } = ctx;
  const out: string[] = [
    ...wrap(subject, '', ''),
    '',
    ...wrap(w.greeting(model.recipient.name), '', ''),
    ...wrap(w.labelled(w.composedAt, timeText(model.composedAt, w)), '', ''),
  ];
  if (ctx.more) out.push('', ...wrap(ctx.more, '', ''));
  for (const section of body) {
    const title = sectionTitle(section.key, section.items.length, all, w);
    out.push('', `== ${title} ==`);
    for (const [i, item] of section.items.entries()) {
      const d = describe(item, section.items[i - 1], ctx);
      out.push('', ...wrap(`[${d.badge}] ${d.title}  ${d.note}`, '', '    '));
      for (const line of d.fields) {
        out.push(...wrap(line.map((f) => (f.label === null ? f.value : w.labelled(f.label, f.value))).join('    '), '  ', '    '));
      }
      // Each URL whole on its own line, never wrapped: a mail client links it only if it is unbroken.
      for (const l of linksOf(item, w)) out.push(`  ${visibleText(w.labelled(l.label, l.url))}`);
    }
  }
  out.push('', '--', ...wrap(ctx.footer, '', ''));
  return `${out.join('\n')}\n`;
}

/**
 * `text` (made visible) as lines of at most TEXT_COLUMNS terminal columns, the first indented by
 * `first`, the rest by `rest`; broken at a space where one is near the end, else anywhere (CJK has
 * no spaces) but before closing punctuation, never inside a code point.
 */
function wrap(text: string, first: string, rest: string): string[] {
  const lines: string[] = [];
  let indent = first;
  let line: string[] = [];
  let width = columns(first);
  for (const c of Array.from(visibleText(text))) {
    const cw = columns(c);
    // Closing punctuation never starts a line (禁则): it stays on the one before, two columns over at most.
    if (width + cw > TEXT_COLUMNS && line.length > 0 && !CLOSING.has(c)) {
      const space = line.lastIndexOf(' ');
      const cut = space > line.length * 0.6 ? space + 1 : line.length;
      lines.push(indent + line.slice(0, cut).join('').trimEnd());
      line = line.slice(cut);
      while (line[0] === ' ') line.shift();
      indent = rest;
      width = columns(indent + line.join(''));
    }
    if (c === ' ' && line.length === 0 && lines.length > 0) continue;
    line.push(c);
    width += cw;
  }
  lines.push(indent + line.join(''));
  return lines;
}

/** Punctuation a line may not start with. */
const CLOSING = new Set(Array.from('，。、；：！？）」』】》〉”’,.;:!?)]'));

// ---------------------------------------------------------------- CSV

/**
 * Every item as CSV in edumon's one dialect (core/csv.ts: RFC 4180 with CRLF, UTF-8 with a BOM, no
 * cell a spreadsheet would run as a formula). The subject and the result are said in words, as in
 * the body; the observed value, threshold, occurrence and flap count stay numbers beside them (a
 * rule's word in observed is text), so a negative one stays a number. When the alerts carry console
 * links, two columns end each row with them: the alerts left out of the body keep their links.
 */
function csvOf(items: readonly EmailItem[], w: Wording, language: string): string {
  const text = (v: string | null) => csvField(v);
  const number = (v: string | number | null) => csvField(v === null ? null : String(v), true);
  const withLinks = items.some((i) => i.links !== null);
  const rows = items.map((i) => [
    text(i.alertId),
    text(w.kind[i.kind] ?? i.kind),
    text(i.rule),
    text(i.ruleTitle),
    text(w.severity[i.severity] ?? i.severity),
    text(i.schoolCode),
    text(i.schoolName),
    text(i.regionCode),
    text(i.regionName),
    text(i.period),
    text(subjectWords(i.says, i.subject, language)),
    text(resultWords(i.says, i, language)),
    number(i.observed),
    number(i.threshold),
    text(formatShanghai(i.firstSeen)),
    text(i.resolvedAt === null ? null : formatShanghai(i.resolvedAt)),
    text(i.eventId),
    number(i.occurrence),
    number(i.flapCount),
    text(i.acknowledged ? w.yes : w.no),
    text(policyWords(i.policy, language)),
    ...(withLinks ? [text(i.links?.view ?? null), text(i.links?.ack ?? null)] : []),
  ]);
  const header = withLinks ? [...w.csvHeader, ...w.csvLinkHeader] : w.csvHeader;
  return CSV_BOM + [header.map(text), ...rows].map(csvLine).join('');
}

// ---------------------------------------------------------------- shared text safety

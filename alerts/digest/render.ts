/**
 * The weekly digest's renderer (issue 13): one Digest (alerts/digest/model.ts) for one reader
 * becomes a subject, an email-safe HTML body, the same content as plain text, the trend pictures
 * (PNG, referenced from the HTML as `cid:`) and the `.xlsx` of every figure. Pure apart from
 * drawing: no clock, no I/O but reading the CJK font; every time shown is in Asia/Shanghai.
 *
 * The body reads top down as an official asks: can I trust these numbers (数据质量), what got
 * worse (本周变差), where does each figure stand per region (指标一览: value, target met or missed
 * with a mark and a word, not colour alone, change with an arrow, a progress bar made of table
 * cells, the 8-week trend), and the alerts of the week (本周告警); the city's reader last sees the
 * rules officials judged often wrong (研判准确率偏低的规则, issue 23). Email-safe: a 640 px table
 * layout, inline styles, no script, no remote resource, under Gmail's 102 KB clip for the city's
 * digest of 12 regions × 15 figures (tests/unit/renderDigest.test.ts).
 *
 * Trend pictures: one per figure and region, so a county's line can be compared with the city's.
 * Identical pictures (a flat line at 0, say) are attached once: the sample city digest's 180 rows
 * need 111 pictures, about 120 KB of PNG, well inside what mail servers accept and not counted
 * against the HTML's clip. When the pictures would pass TREND_BUDGET_BYTES (a reader with far more
 * regions, or noisy trends) only the city's row of each figure gets one, and a note says every
 * region's weekly values are in the workbook.
 */
import { CITY_CODE, regionName } from '../../core/regions.ts';
import { formatShanghai } from '../../core/shanghai.ts';
import { columns, shorten, visibleText } from '../../core/text.ts';
import { emailHtml, escapeHtml as esc, HTML_MAX_BYTES } from '../emailHtml.ts';
import { type DigestWording, digestWordingFor } from './digestWording.ts';
import type { AlertCount, Digest, FigureDef, FigureValue, RenderedDigest, WeekAlerts } from './model.ts';
import { trendPng } from './trendChart.ts';
import { trendWeeks } from './trendWeeks.ts';
import { digestWorkbook } from './workbook.ts';

/** A reader's language. */
export type DigestLanguage = 'zh-CN' | 'en';

/** How to render a digest for one reader. */
export interface RenderDigestOptions {
  language: DigestLanguage;
  /** The figures' names, units, targets and sources (from the config); the table follows their order. */
  defs: readonly FigureDef[];
  /** A region's name in the reader's language (default core/regions.ts regionName). */
  regionOf?: (code: string, language: DigestLanguage) => string;
  /** The reader's scope region, named in the subject and title (default: the digest's first region). */
  scope?: string;
  /** A rule's title to show after its code (`ADM-OVER-QUOTA 超计划招生`); default: the code alone. */
  ruleTitle?: (rule: string, language: DigestLanguage) => string | undefined;
  /** Most PNG bytes of trend pictures before only the city's rows get one (default TREND_BUDGET_BYTES). */
  trendBudgetBytes?: number;
  /**
   * Trend pictures already drawn, by what they show; renderDigest adds the ones it draws. One map
   * shared by a round's digests draws each picture once: a county's rows are the city digest's too.
   */
  drawn?: Map<string, Buffer>;
  /** The CJK font file for the trend pictures (config render.cjkFont); default: trendChart.ts cjkFontPath's search. */
  cjkFont?: string | null;
  /**
   * Each listed alert's console links for this reader (alerts/digest/digestEmails.ts digestRendering):
   * its page, and an acknowledge link when the digest knows its recipient. Absent: no links.
   */
  links?: (alertId: string) => DigestAlertLinks;
}

/** A listed alert's links: its console page, and the signed acknowledge link for the digest's recipient, if one is known. */
export interface DigestAlertLinks {
  view: string;
  ack?: string;
}

/** Most PNG bytes of trend pictures per email before only the city's rows get one. */
export const TREND_BUDGET_BYTES = 600_000;
/** The trend picture's size in CSS px (drawn at twice that for high-density screens). */
const TREND = { width: 100, height: 24 };
/** The progress bar's width in px. */
const BAR = 64;
/** A producer's text (a rule's error, a rejection reason) longer than this is cut in the body. */
const TEXT_MAX = 160;
/** Most rows of 本周变差 and of the alerts table in the HTML body (all are in the text and the workbook): keeps the body under the clip. */
const ROWS_MAX = 30;
/** Most failed rules, flaps, rejection reasons and rules judged often wrong named in the HTML body. */
const LIST_MAX = 10;
/** A producer's text in a list (a rejection reason, a rule's error) is cut to this many code points. */
const REASON_MAX = 100;
/** The plain-text body's columns for the figures table. */
const TEXT_COLUMNS = { value: 14, met: 12, change: 20 };

const GREEN = '#15803d';
const RED = '#b91c1c';
const GRAY = '#6b7280';
const AMBER = '#92400e';

/**
 * The digest rendered for one reader in `opts.language`: subject, HTML, text, the trend PNGs
 * (`trend-<figure>-<region>.png`, cid `trend-<figure>-<region>`) and the workbook.
 */
export async function renderDigest(digest: Digest, opts: RenderDigestOptions): Promise<RenderedDigest> {
  const w = digestWordingFor(opts.language);
  const ctx = contextOf(digest, opts, w);
  const images = trendImages(ctx, opts.trendBudgetBytes ?? TREND_BUDGET_BYTES, opts.drawn ?? new Map());
  const subject = subjectOf(ctx);
  const { filename: xlsxName, xlsx } = await workbookOf(ctx, opts);
  let html = htmlOf(subject, ctx, images, xlsxName, true);
  // Links never push a digest past Gmail's clip: one that would pass it is sent without them in its
  // HTML (the plain text keeps them, and the console lists every alert).
  const unlinked = { ...ctx, links: () => null };
  if (opts.links && Buffer.byteLength(html, 'utf8') >= HTML_MAX_BYTES) html = htmlOf(subject, unlinked, images, xlsxName, true);
  // Then the rules judged often wrong give way to the plain text and the workbook.
  if (digest.judged && Buffer.byteLength(html) > HTML_MAX_BYTES) html = htmlOf(subject, unlinked, images, xlsxName, false);
  return {
    subject,
    html,
    text: textOf(ctx, images, xlsxName),
    attachments: [
      ...images.files.map((f) => ({
        filename: `${f.cid}.png`,
        contentType: 'image/png',
        content: f.png.toString('base64'),
        encoding: 'base64' as const,
        cid: f.cid,
      })),
      {
        filename: xlsxName,
        contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        content: xlsx.toString('base64'),
        encoding: 'base64' as const,
      },
    ],
  };
}

/**
 * The workbook renderDigest attaches, and its filename (`温县教育监测周报-2025-W27.xlsx`): for
 * another way to the same file (the console's download).
 */
export async function digestWorkbookFile(digest: Digest, opts: RenderDigestOptions): Promise<{ filename: string; xlsx: Buffer }> {
  return workbookOf(contextOf(digest, opts, digestWordingFor(opts.language)), opts);
}

async function workbookOf(ctx: Ctx, opts: RenderDigestOptions): Promise<{ filename: string; xlsx: Buffer }> {
  const filename = safeFilename(ctx.w.xlsx.filename(ctx.region(ctx.scope), ctx.digest.week.label));
  const xlsx = await digestWorkbook(ctx.digest, [...opts.defs], opts.language, { regionOf: ctx.region, ruleTitle: ctx.ruleName });
  return { filename, xlsx };
}

/** One row of the digest's figures table as the email words it (DigestTable). */
export interface DigestTableRow {
  region: string;
  regionName: string;
  /** `96.2%`, `1:14.2`, `26,624 元`, `无数据`. */
  value: string;
  /** `✓ 达标`, `✗ 未达标`, `—`. */
  met: string;
  /** `↑ +1.2 个百分点`, `→ 持平`, `—`. */
  change: string;
  /** Whether the change is for the better (1), the worse (-1) or none printed (0). */
  direction: -1 | 0 | 1;
  /** `新近未达标` or `变差` when the row is among the week's worse (Digest.worse), else null. */
  worse: string | null;
  /** The figure's value as a number, as in the model. */
  figure: FigureValue;
}

/** The digest's figures table in the email's words: each figure (the defs' order) with its target and its rows in the digest's region order. */
export interface DigestTable {
  /** The 8 trend weeks' labels, oldest first (`2025-W20` … `2025-W27`). */
  weeks: string[];
  /** The scope region's name (`温县`). */
  scopeName: string;
  groups: Array<{ def: FigureDef; name: string; target: string; rows: DigestTableRow[] }>;
  /** The data-quality lines (none when the week's data is complete), then the two sentences around them. */
  quality: { lines: string[]; ok: string; warn: string };
  /** The footnote on what each figure counts, or ''. */
  covers: string;
}

/**
 * The figures table of `digest` for a reader (opts), worded as renderDigest words the email's: the
 * same values, targets, marks and changes, for another surface (the console's indicators page).
 */
export function digestTable(digest: Digest, opts: RenderDigestOptions): DigestTable {
  const w = digestWordingFor(opts.language);
  const ctx = contextOf(digest, opts, w);
  const worse = new Map(digest.worse.map((x) => [`${x.figure} ${x.region}`, x.reason === 'new-shortfall' ? w.newShortfall : w.gotWorse]));
  return {
    weeks: ctx.weeks,
    scopeName: ctx.region(ctx.scope),
    groups: ctx.groups.map(({ def, rows }) => ({
      def,
      name: figureName(def, ctx),
      target: targetLine(def, rows, w),
      rows: rows.map((row) => ({
        region: row.region,
        regionName: ctx.region(row.region),
        value: valueText(def, row.value, w),
        met: metText(row.met, w),
        change: changeText(def, row.change, w),
        direction: row.change === null ? 0 : direction(def, row.change),
        worse: worse.get(rowKey(row)) ?? null,
        figure: row,
      })),
    })),
    quality: { lines: qualityLines(ctx), ok: w.qualityOk, warn: w.qualityWarn },
    covers: coversText(ctx),
  };
}

// ---------------------------------------------------------------- what both bodies show

interface Ctx {
  digest: Digest;
  lang: DigestLanguage;
  w: DigestWording;
  scope: string;
  region: (code: string) => string;
  ruleName: (rule: string) => string;
  /** Each figure with its def and its rows in the digest's region order; figures without rows are left out. */
  groups: Array<{ def: FigureDef; rows: FigureValue[] }>;
  defOf: (id: string) => FigureDef;
  weeks: string[];
  /** The trend pictures' CJK font file (RenderDigestOptions cjkFont). */
  cjkFont: string | null;
  /** A listed alert's console links (RenderDigestOptions links), or null without them. */
  links: (alertId: string) => DigestAlertLinks | null;
}

function contextOf(digest: Digest, opts: RenderDigestOptions, w: DigestWording): Ctx {
  const lang = opts.language;
  const region = (code: string) => visibleText(opts.regionOf ? opts.regionOf(code, lang) : regionName(code, lang));
  const ruleName = (rule: string) => {
    const title = opts.ruleTitle?.(rule, lang);
    return visibleText(title ? `${rule} ${title}` : rule);
  };
  const defs = new Map(opts.defs.map((d) => [d.id as string, d]));
  const defOf = (id: string): FigureDef =>
    defs.get(id) ?? { id: id as FigureDef['id'], zh: id, en: id, unit: 'count', target: null, better: 'higher', source: '' };
  const order = new Map(digest.regions.map((r, i) => [r, i]));
  const rank = (r: string) => order.get(r) ?? Number.MAX_SAFE_INTEGER;
  const ids = [...opts.defs.map((d) => d.id as string), ...digest.figures.map((f) => f.figure as string).filter((id) => !defs.has(id))];
  const groups = [...new Set(ids)]
    .map((id) => ({ def: defOf(id), rows: digest.figures.filter((f) => f.figure === id).sort((a, b) => rank(a.region) - rank(b.region)) }))
    .filter((g) => g.rows.length > 0);
  return {
    digest,
    lang,
    w,
    scope: opts.scope ?? digest.regions[0] ?? CITY_CODE,
    region,
    ruleName,
    groups,
    defOf,
    weeks: trendWeeks(digest.week),
    cjkFont: opts.cjkFont ?? null,
    links: opts.links ?? (() => null),
  };
}

const figureName = (def: FigureDef, ctx: Ctx) => visibleText(ctx.lang === 'en' ? def.en : def.zh);

/** `【周报】焦作市 2025-W27 指标：3 项未达标，2 项变差`: the scope region's own figures (all rows when it has none). */
function subjectOf(ctx: Ctx): string {
  const { digest, w, scope } = ctx;
  const own = digest.figures.some((f) => f.region === scope);
  const rows = own ? digest.figures.filter((f) => f.region === scope) : digest.figures;
  const worse = own ? digest.worse.filter((x) => x.region === scope) : digest.worse;
  return w.subject(ctx.region(scope), digest.week.label, rows.filter((f) => f.met === false).length, worse.length);
}

function titleOf(ctx: Ctx): string {
  const { digest, w } = ctx;
  const date = (iso: string) => {
    const s = formatShanghai(iso);
    return { y: Number(s.slice(0, 4)), m: Number(s.slice(5, 7)), d: Number(s.slice(8, 10)) };
  };
  const last = new Date(Date.parse(digest.week.end) - 1).toISOString();
  return w.title(ctx.region(ctx.scope), digest.week.label, w.range(date(digest.week.start), date(last)));
}

/** `2025-07-06 23:59（北京时间）`. */
function timeText(iso: string, w: DigestWording): string {
  const s = formatShanghai(iso);
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(s) ? w.time(`${s.slice(0, 10)} ${s.slice(11, 16)}`) : visibleText(iso);
}

/** The data-quality lines, or none when the week's data is complete. */
function qualityLines(ctx: Ctx): string[] {
  const { w } = ctx;
  const q = ctx.digest.quality;
  const lines: string[] = [];
  for (const s of q.staleFeeds) {
    const feed = w.feeds[s.feed] ? w.withCode(w.feeds[s.feed]!, s.feed) : s.feed;
    lines.push(w.staleFeed(visibleText(feed), `${s.behind} ${w.units[s.unit] ?? visibleText(s.unit)}`));
  }
  for (const r of q.failedRules.slice(0, LIST_MAX)) lines.push(w.failedRule(ctx.ruleName(r.rule), shorten(visibleText(r.error), REASON_MAX)));
  if (q.failedRules.length > LIST_MAX) lines.push(w.moreFailedRules(q.failedRules.length - LIST_MAX));
  const rejected = q.rejections.filter((r) => r.count > 0);
  if (rejected.length) {
    const total = rejected.reduce((n, r) => n + r.count, 0);
    const sorted = [...rejected].sort((a, b) => b.count - a.count || cmp(a.reason, b.reason));
    const named = sorted.slice(0, LIST_MAX).map((r) => w.rejection(shorten(visibleText(r.reason), REASON_MAX), r.count));
    const rest = sorted.slice(LIST_MAX);
    if (rest.length)
      named.push(
        w.otherReasons(
          rest.length,
          rest.reduce((n, r) => n + r.count, 0),
        ),
      );
    lines.push(w.rejections(total) + named.join(w.listSeparator));
  }
  if (q.unknownSchools > 0) {
    const list = q.unknownSchoolList ?? [];
    const named = list.slice(0, LIST_MAX).map((u) => w.unknownSchool(shorten(visibleText(u.schoolId), REASON_MAX), visibleText(u.firstSeen)));
    if (list.length > LIST_MAX) named.push(w.moreUnknownSchools(list.length - LIST_MAX));
    lines.push(w.unknownSchools(q.unknownSchools) + (named.length ? `${w.listSeparator}${named.join(w.listSeparator)}` : ''));
  }
  return lines;
}

/** A number with thousands separators and `digits` decimals. */
function num(v: number, digits: number): string {
  const fixed = Math.abs(v).toFixed(digits);
  const [int, frac] = fixed.split('.');
  const grouped = int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${v < 0 && Number(fixed) !== 0 ? '-' : ''}${grouped}${frac ? `.${frac}` : ''}`;
}

/** A figure's value as a reader reads it: `96.2%`, `1:14.2`, `8,878`, `26,624 元`, or the wording's `无数据`. */
export function valueText(def: FigureDef, v: number | null, w: DigestWording): string {
  if (v === null || !Number.isFinite(v)) return w.noData;
  switch (def.unit) {
    case '%':
      return `${num(v, 1)}%`;
    case 'ratio':
      return `1:${num(v, 1)}`;
    case 'yuan':
      return w.yuan(num(v, Number.isInteger(v) ? 0 : 2));
    default:
      return num(v, Number.isInteger(v) ? 0 : 1);
  }
}

/** The period a figure judged per year covers this week (FigureValue.period, the same in every row), or ''. */
function periodText(rows: readonly FigureValue[], w: DigestWording): string {
  const p = rows.find((r) => r.period)?.period;
  return p ? w.period(p.fiscalYear, p.quarters) : '';
}

/** A figure's target and, for one judged per year, the period it covers: `目标 ≥ 100.0%　按2025年度全年计`. */
function targetLine(def: FigureDef, rows: readonly FigureValue[], w: DigestWording): string {
  const period = periodText(rows, w);
  return period ? `${targetText(def, w)}　${period}` : targetText(def, w);
}

/** The footnote saying what each figure with a `covers` counts (figures saying the same named together), or '' when none has one. */
function coversText(ctx: Ctx): string {
  const byText = new Map<string, string[]>();
  for (const { def } of ctx.groups) {
    if (!def.covers) continue;
    const text = visibleText(ctx.lang === 'en' ? def.covers.en : def.covers.zh);
    byText.set(text, [...(byText.get(text) ?? []), figureName(def, ctx)]);
  }
  const items = [...byText].map(([covers, names]) => ({ figure: names.join(ctx.lang === 'en' ? ', ' : '、'), covers }));
  return items.length ? ctx.w.coversNote(items) : '';
}

function targetText(def: FigureDef, w: DigestWording): string {
  if (def.target === null) return w.noTarget;
  const op = def.target === 0 && def.better === 'lower' ? '=' : def.better === 'higher' ? '≥' : '≤';
  return w.target(op, valueText(def, def.target, w));
}

/** The decimals a change is printed with: one for rates and ratios, none for whole counts and yuan. */
function changeDigits(def: FigureDef, change: number): number {
  return def.unit === '%' || def.unit === 'ratio' ? 1 : Number.isInteger(change) ? 0 : 1;
}

/**
 * Whether a change is for the better (1), the worse (-1) or none (0), judged on the change as
 * printed (rounded as changeText rounds it): a change too small to print reads `→ 持平` and is
 * coloured as none, so the colour never says more than the word.
 */
export function direction(def: FigureDef, change: number): -1 | 0 | 1 {
  if (!Number.isFinite(change) || Number(Math.abs(change).toFixed(changeDigits(def, change))) === 0) return 0;
  return change > 0 === (def.better === 'higher') ? 1 : -1;
}

/** `↑ +1.2 个百分点`, `↓ -778 元`, `→ 持平`, or `—`. */
function changeText(def: FigureDef, change: number | null, w: DigestWording): string {
  if (change === null || !Number.isFinite(change)) return '—';
  const digits = changeDigits(def, change);
  if (direction(def, change) === 0) return w.same;
  const sign = change > 0 ? '+' : '-';
  const abs = num(Math.abs(change), digits);
  const amount = def.unit === '%' ? `${sign}${abs}${w.points}` : def.unit === 'yuan' ? `${sign}${w.yuan(abs)}` : `${sign}${abs}`;
  return `${change > 0 ? '↑' : '↓'} ${amount}`;
}

/** A change's colour: green for the better, red for the worse, gray for none or none printed. */
function changeColor(def: FigureDef, change: number | null): string {
  const dir = change === null ? 0 : direction(def, change);
  return dir > 0 ? GREEN : dir < 0 ? RED : GRAY;
}

function metText(met: boolean | null, w: DigestWording): string {
  return met === true ? w.met : met === false ? w.missed : '—';
}

/**
 * The bar's fill from 0 to 1, as the word beside it reads: a met target is a full bar; a missed `≥`
 * target is value over target, a missed `≤` target target over value (1:20 against 1:15 is 75%);
 * a missed target of 0 (a count that should be none) is the value over the largest of the figure;
 * no target, the same.
 */
export function barFill(def: FigureDef, v: number | null, met: boolean | null, rows: readonly FigureValue[]): number {
  if (v === null || !Number.isFinite(v)) return 0;
  if (met === true) return 1;
  if (def.target !== null && def.target > 0) {
    if (def.better === 'lower') return v <= 0 ? 1 : Math.min(1, def.target / v);
    return v <= 0 ? 0 : Math.min(1, v / def.target);
  }
  if (v <= 0) return 0;
  const max = Math.max(...rows.map((r) => (r.value !== null && Number.isFinite(r.value) ? r.value : 0)));
  return max > 0 ? Math.min(1, v / max) : 0;
}

/** The alerts of the week by rule and region: opened, resolved and still open side by side, most still open first. */
function alertTable(ctx: Ctx): Array<{ rule: string; region: string | null; opened: number; resolved: number; stillOpen: number }> {
  const rows = new Map<string, { rule: string; region: string | null; opened: number; resolved: number; stillOpen: number }>();
  const add = (list: readonly AlertCount[], key: 'opened' | 'resolved' | 'stillOpen') => {
    for (const a of list) {
      const k = `${a.rule}\u0000${a.region ?? ''}`;
      const row = rows.get(k) ?? { rule: a.rule, region: a.region, opened: 0, resolved: 0, stillOpen: 0 };
      row[key] += a.count;
      rows.set(k, row);
    }
  };
  const { alerts } = ctx.digest;
  add(alerts.opened, 'opened');
  add(alerts.resolved, 'resolved');
  add(alerts.stillOpen, 'stillOpen');
  const order = new Map(ctx.digest.regions.map((r, i) => [r, i]));
  const rank = (r: string | null) => (r === null ? -1 : (order.get(r) ?? Number.MAX_SAFE_INTEGER));
  return [...rows.values()].sort((a, b) => b.stillOpen - a.stillOpen || b.opened - a.opened || rank(a.region) - rank(b.region) || cmp(a.rule, b.rule));
}

/**
 * The clock's part of the alerts section: what the lifecycle detected during the week (a digest
 * made before issue 22 has no such part: its flaps and oldest unacknowledged stay in `alerts`).
 */
function clockPart(ctx: Ctx): { labelled: boolean; opened: readonly AlertCount[]; flaps: WeekAlerts['flaps']; oldestUnacked: WeekAlerts['oldestUnacked'] } {
  const { alerts, detected } = ctx.digest;
  if (!detected) return { labelled: false, opened: [], flaps: alerts.flaps, oldestUnacked: alerts.oldestUnacked };
  const order = new Map(ctx.digest.regions.map((r, i) => [r, i]));
  const rank = (r: string | null) => (r === null ? -1 : (order.get(r) ?? Number.MAX_SAFE_INTEGER));
  const opened = [...detected.opened].sort((a, b) => b.count - a.count || rank(a.region) - rank(b.region) || cmp(a.rule, b.rule));
  return { labelled: true, opened, flaps: [...alerts.flaps, ...detected.flaps], oldestUnacked: [...alerts.oldestUnacked, ...detected.oldestUnacked] };
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** A precision floor as a percent: 0.7 is `70%`, 0.655 `65.5%`. */
const floorText = (floor: number) => `${Number((floor * 100).toFixed(1))}%`;
const sum = (list: readonly AlertCount[]) => list.reduce((n, a) => n + a.count, 0);

// ---------------------------------------------------------------- trend pictures

interface Images {
  /** The cid of each row's picture (`figure region`), absent when the row has none. */
  cidOf: Map<string, string>;
  files: Array<{ cid: string; png: Buffer }>;
  cityOnly: boolean;
}

const rowKey = (f: FigureValue) => `${f.figure} ${f.region}`;

/** One picture per figure and region (identical ones shared), or per figure for the city when that would pass TREND_BUDGET_BYTES. */
function trendImages(ctx: Ctx, budget: number, drawn: Map<string, Buffer>): Images {
  const all = drawTrends(ctx, () => true, drawn);
  const bytes = all.files.reduce((n, f) => n + f.png.length, 0);
  if (bytes <= budget) return { ...all, cityOnly: false };
  const city = ctx.digest.regions.includes(CITY_CODE) ? CITY_CODE : ctx.scope;
  return { ...drawTrends(ctx, (f) => f.region === city, drawn), cityOnly: true };
}

function drawTrends(ctx: Ctx, include: (f: FigureValue) => boolean, drawn: Map<string, Buffer>): Omit<Images, 'cityOnly'> {
  const cidOf = new Map<string, string>();
  const files: Images['files'] = [];
  const byContent = new Map<string, string>();
  for (const { def, rows } of ctx.groups) {
    for (const row of rows) {
      if (!include(row) || !row.trend.some((v) => v !== null)) continue;
      const color = row.met === false ? RED : '#2563eb';
      const key = JSON.stringify([row.trend, def.target, color]);
      let cid = byContent.get(key);
      if (!cid) {
        cid = `trend-${safeId(row.figure)}-${safeId(row.region)}`;
        byContent.set(key, cid);
        let png = drawn.get(key);
        if (!png) {
          png = trendPng(row.trend, { target: def.target, width: TREND.width, height: TREND.height, color, cjkFont: ctx.cjkFont });
          drawn.set(key, png);
        }
        files.push({ cid, png });
      }
      cidOf.set(rowKey(row), cid);
    }
  }
  return { cidOf, files };
}

/** A figure id or region code as a cid part: letters, digits, `-` and `_` only. */
const safeId = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_');

/** A filename without path separators or control characters. */
const safeFilename = (s: string) => visibleText(s).replace(/[\\/:*?"<>|]/g, '_');

// ---------------------------------------------------------------- HTML

/** The HTML body; `judged`: with the rules officials judged often wrong (the city's digest), unless it passes HTML_MAX_BYTES. */
function htmlOf(subject: string, ctx: Ctx, images: Images, xlsxName: string, judged: boolean): string {
  const { w, digest } = ctx;
  const lang = ctx.lang;
  const out: string[] = [];
  const section = (title: string) =>
    out.push(`<tr><td style="padding:18px 16px 6px;font-size:17px;line-height:24px;font-weight:bold;border-bottom:2px solid #e5e7eb">${esc(title)}</td></tr>`);
  const para = (html: string, style = '') => out.push(`<tr><td style="padding:6px 16px;font-size:14px;line-height:22px${style}">${html}</td></tr>`);
  out.push(
    `<tr><td style="padding:10px 16px 0;font-size:13px;line-height:20px;color:${GRAY}">${esc(w.labelled(w.asOf, timeText(digest.week.asOf, w)))}　${esc(w.labelled(w.composedAt, timeText(digest.composedAt, w)))}</td></tr>`,
  );

  // 数据质量
  section(w.sections.quality);
  const quality = qualityLines(ctx);
  if (quality.length === 0) para(esc(w.qualityOk), `;color:${GREEN}`);
  else para(`${esc(w.qualityWarn)}<br>${quality.map((l) => `• ${esc(l)}`).join('<br>')}`, `;color:${AMBER};background:#fffbeb`);

  // 本周变差
  section(w.heading(w.sections.worse, digest.worse.length));
  if (digest.worse.length === 0) para(esc(w.noneWorse));
  else {
    const rows = digest.worse.slice(0, ROWS_MAX).map((x) => {
      const def = ctx.defOf(x.figure);
      const why = x.reason === 'new-shortfall' ? w.newShortfall : w.gotWorse;
      const value = digest.figures.find((f) => f.figure === x.figure && f.region === x.region)?.value ?? null;
      return `<tr><td>${esc(ctx.region(x.region))}</td><td>${esc(figureName(def, ctx))}</td><td align="right">${esc(valueText(def, value, w))}</td><td style="color:${changeColor(def, x.change)}">${esc(changeText(def, x.change, w))}</td><td style="color:${RED}">${esc(why)}</td></tr>`;
    });
    out.push(
      `<tr><td style="padding:6px 16px"><table role="presentation" width="100%" cellpadding="3" cellspacing="0" border="0" style="font-size:13px;line-height:18px">`,
      `<tr style="color:${GRAY}"><td>${esc(w.cols.region)}</td><td>${esc(w.cols.figure)}</td><td align="right">${esc(w.cols.value)}</td><td>${esc(w.cols.change)}</td><td>${esc(w.cols.why)}</td></tr>`,
      ...rows,
      '</table></td></tr>',
    );
    if (digest.worse.length > ROWS_MAX) para(esc(w.moreRows(digest.worse.length - ROWS_MAX, xlsxName)), `;font-size:12px;color:${GRAY}`);
  }

  // 指标一览
  section(w.sections.figures);
  out.push(
    `<tr><td style="padding:6px 16px"><table role="presentation" width="608" cellpadding="3" cellspacing="0" border="0" style="width:608px;table-layout:fixed;font-size:13px;line-height:18px">`,
    `<tr style="color:${GRAY};font-size:12px"><td width="134">${esc(w.cols.region)}</td><td width="84" align="right">${esc(w.cols.value)}</td><td width="70">${esc(w.cols.met)}</td><td width="116">${esc(w.cols.change)}</td><td width="${BAR}">${esc(w.cols.progress)}</td><td width="${TREND.width}">${esc(w.cols.trend)}</td></tr>`,
  );
  for (const { def, rows } of ctx.groups) {
    out.push(
      `<tr><td colspan="6" style="padding:10px 3px 3px;border-bottom:1px solid #d1d5db"><b style="font-size:14px">${esc(figureName(def, ctx))}</b> <span style="color:${GRAY};font-size:12px">${esc(targetLine(def, rows, w))}${def.source ? `　${esc(shorten(visibleText(def.source), TEXT_MAX))}` : ''}</span></td></tr>`,
    );
    for (const row of rows) out.push(figureRowHtml(def, row, rows, ctx, images));
  }
  out.push('</table></td></tr>');
  const [from, to] = [ctx.weeks[0]!, ctx.weeks[ctx.weeks.length - 1]!];
  para(esc([w.trendNote(from, to), w.barNote, ...(images.cityOnly ? [w.trendCityOnly] : [])].join(' ')), `;font-size:12px;line-height:18px;color:${GRAY}`);
  const covers = coversText(ctx);
  if (covers) para(esc(covers), `;font-size:12px;line-height:18px;color:${GRAY}`);

  // 本周告警: by event time, then (labelled) what the system detected by the clock
  const { alerts } = digest;
  section(w.sections.alerts);
  const table = alertTable(ctx);
  const clock = clockPart(ctx);
  if (clock.labelled) para(esc(w.alertsByEventTime), `;font-size:12px;line-height:18px;color:${GRAY}`);
  if (table.length === 0 && (clock.labelled || (clock.flaps.length === 0 && clock.oldestUnacked.length === 0))) para(esc(w.noAlerts));
  else para(esc(w.alertsSummary(sum(alerts.opened), sum(alerts.resolved), sum(alerts.stillOpen))));
  if (table.length) {
    const c = w.alertCols;
    out.push(
      `<tr><td style="padding:6px 16px"><table role="presentation" width="100%" cellpadding="3" cellspacing="0" border="0" style="font-size:13px;line-height:18px">`,
      `<tr style="color:${GRAY}"><td>${esc(c.rule)}</td><td>${esc(c.region)}</td><td align="right">${esc(c.opened)}</td><td align="right">${esc(c.resolved)}</td><td align="right">${esc(c.stillOpen)}</td></tr>`,
      ...table
        .slice(0, ROWS_MAX)
        .map(
          (r) =>
            `<tr><td>${esc(ctx.ruleName(r.rule))}</td><td>${esc(r.region === null ? w.noRegion : ctx.region(r.region))}</td><td align="right">${r.opened}</td><td align="right" style="color:${GREEN}">${r.resolved}</td><td align="right"${r.stillOpen ? ` style="color:${RED};font-weight:bold"` : ''}>${r.stillOpen}</td></tr>`,
        ),
      '</table></td></tr>',
    );
    if (table.length > ROWS_MAX) para(esc(w.moreRows(table.length - ROWS_MAX, xlsxName)), `;font-size:12px;color:${GRAY}`);
  }
  if (clock.labelled) {
    para(`<b>${esc(w.detected)}</b><br><span style="font-size:12px;color:${GRAY}">${esc(w.detectedNote)}</span>`, ';padding-top:12px');
    if (clock.opened.length === 0 && clock.flaps.length === 0 && clock.oldestUnacked.length === 0) para(esc(w.noneDetected));
    if (clock.opened.length) {
      const lines = clock.opened
        .slice(0, ROWS_MAX)
        .map((a) => esc(w.detectedLine(ctx.ruleName(a.rule), a.region === null ? w.noRegion : ctx.region(a.region), a.count)));
      para(`${esc(w.detectedSummary(sum(clock.opened)))}<br>${lines.join('<br>')}`);
      if (clock.opened.length > ROWS_MAX) para(esc(w.moreRows(clock.opened.length - ROWS_MAX, xlsxName)), `;font-size:12px;color:${GRAY}`);
    }
  }
  if (clock.flaps.length) {
    para(
      `<b>${esc(w.flaps)}</b><br>${clock.flaps
        .slice(0, LIST_MAX)
        .map(
          (f) =>
            esc(w.flap(visibleText(f.alertId), ctx.ruleName(f.rule), f.region === null ? w.noRegion : ctx.region(f.region), f.reopens)) +
            linkHtml(ctx.links(f.alertId)?.view, w.viewAlert, '　'),
        )
        .join('<br>')}`,
    );
  }
  if (clock.oldestUnacked.length) {
    const c = w.oldestCols;
    para(`<b>${esc(w.oldest)}</b>`);
    out.push(
      `<tr><td style="padding:0 16px 6px"><table role="presentation" width="100%" cellpadding="3" cellspacing="0" border="0" style="font-size:12px;line-height:18px;word-break:break-all">`,
      `<tr style="color:${GRAY}"><td>${esc(c.alertId)}</td><td>${esc(c.rule)}</td><td>${esc(c.region)}</td><td>${esc(c.school)}</td><td>${esc(c.openedAt)}</td><td align="right">${esc(c.age)}</td></tr>`,
      ...clock.oldestUnacked.map(
        (a) =>
          `<tr><td>${alertIdHtml(a.alertId, ctx)}</td><td>${esc(ctx.ruleName(a.rule))}</td><td>${esc(a.region === null ? w.noRegion : ctx.region(a.region))}</td><td>${esc(a.schoolId ?? '—')}</td><td>${esc(timeText(a.openedAt, w))}</td><td align="right" style="color:${RED}">${esc(w.days(a.ageDays))}</td></tr>`,
      ),
      '</table></td></tr>',
    );
  }

  // 研判准确率偏低的规则: the city's digest alone, at most LIST_MAX rules (all are in the text and the workbook)
  const oftenWrong = judged ? digest.judged : undefined;
  if (oftenWrong) {
    section(w.heading(w.sections.judged, oftenWrong.rules.length));
    const floor = floorText(oftenWrong.floor);
    if (oftenWrong.rules.length === 0) para(esc(w.noneJudged(oftenWrong.days, floor, oftenWrong.minimum)));
    else {
      para(esc(w.judgedNote(oftenWrong.days, floor, oftenWrong.minimum)), `;font-size:12px;line-height:18px;color:${GRAY}`);
      const c = w.judgedCols;
      out.push(
        `<tr><td style="padding:6px 16px"><table role="presentation" width="100%" cellpadding="3" cellspacing="0" border="0" style="font-size:13px;line-height:18px">`,
        `<tr style="color:${GRAY}"><td>${esc(c.rule)}</td><td align="right">${esc(c.judged)}</td><td align="right">${esc(c.precision)}</td><td align="right">${esc(c.dataWrong)}</td><td align="right">${esc(c.falseAlarm)}</td></tr>`,
        ...oftenWrong.rules
          .slice(0, LIST_MAX)
          .map(
            (r) =>
              `<tr><td>${esc(ctx.ruleName(r.rule))}</td><td align="right">${r.judged}</td><td align="right" style="color:${RED};font-weight:bold">${esc(w.percent(r.precision))}</td><td align="right">${r.dataWrong}</td><td align="right">${r.falseAlarm}</td></tr>`,
          ),
        '</table></td></tr>',
      );
      if (oftenWrong.rules.length > LIST_MAX) para(esc(w.moreRows(oftenWrong.rules.length - LIST_MAX, xlsxName)), `;font-size:12px;color:${GRAY}`);
    }
  }

  para(esc(w.attachment(xlsxName)), ';padding-top:14px');
  out.push(`<tr><td style="padding:12px 16px 16px;font-size:12px;line-height:18px;color:${GRAY};border-top:1px solid #e5e7eb">${esc(w.footer)}</td></tr>`);
  const page = { lang, title: subject, id: 'edumon-digest', width: 640, margin: '16px 0', banner: titleOf(ctx) } as const;
  return emailHtml({ ...page, bannerStyle: 'padding:16px;font-size:20px;line-height:28px' }, out);
}

/** A link with its words as text (the URL escaped like every value), after `before`; nothing without a URL. */
function linkHtml(url: string | undefined, text: string, before = ''): string {
  return url === undefined ? '' : `${before}<a href="${esc(url)}" style="color:#1d4ed8">${esc(text)}</a>`;
}

/** An oldest-unacknowledged alert's id, linking to its console page, with its acknowledge link below when it has one. */
function alertIdHtml(alertId: string, ctx: Ctx): string {
  const links = ctx.links(alertId);
  if (!links) return esc(alertId);
  return `<a href="${esc(links.view)}" style="color:#1d4ed8">${esc(alertId)}</a>${linkHtml(links.ack, ctx.w.ackAlert, '<br>')}`;
}

/** One figure-and-region row, kept lean: 180 of them must stay well under the 102 KB clip. */
function figureRowHtml(def: FigureDef, row: FigureValue, rows: readonly FigureValue[], ctx: Ctx, images: Images): string {
  const { w } = ctx;
  const city = row.region === CITY_CODE;
  const metColor = row.met === true ? GREEN : row.met === false ? RED : GRAY;
  const fill = Math.round(barFill(def, row.value, row.met, rows) * BAR);
  const barColor = row.met === false ? RED : row.met === true ? GREEN : '#9ca3af';
  const bar =
    `<table width="${BAR}" cellpadding="0" cellspacing="0" bgcolor="#e5e7eb"><tr height="8">` +
    (fill > 0 ? `<td width="${fill}" bgcolor="${barColor}"></td>` : '') +
    (fill < BAR ? '<td></td>' : '') +
    '</tr></table>';
  const cid = images.cidOf.get(rowKey(row));
  const img = cid ? `<img src="cid:${cid}" width="${TREND.width}" height="${TREND.height}" alt="" style="display:block">` : '';
  return (
    `<tr${city ? ' style="background:#f9fafb;font-weight:bold"' : ''}><td>${esc(ctx.region(row.region))}</td><td align="right">${esc(valueText(def, row.value, w))}</td>` +
    `<td style="color:${metColor}">${esc(metText(row.met, w))}</td><td style="color:${changeColor(def, row.change)}">${esc(changeText(def, row.change, w))}</td><td>${bar}</td><td>${img}</td></tr>`
  );
}

// ---------------------------------------------------------------- plain text

function textOf(ctx: Ctx, images: Images, xlsxName: string): string {
  const { w, digest } = ctx;
  const regionWidth = Math.max(0, ...[...digest.regions, ...digest.figures.map((f) => f.region)].map((r) => columns(ctx.region(r)))) + 2;
  const out: string[] = [
    visibleText(titleOf(ctx)),
    '',
    w.labelled(w.asOf, timeText(digest.week.asOf, w)),
    w.labelled(w.composedAt, timeText(digest.composedAt, w)),
  ];
  const section = (title: string) => out.push('', `== ${title} ==`, '');

  section(w.sections.quality);
  const quality = qualityLines(ctx);
  if (quality.length === 0) out.push(w.qualityOk);
  else out.push(w.qualityWarn, ...quality.map((l) => `  - ${l}`));

  section(w.heading(w.sections.worse, digest.worse.length));
  if (digest.worse.length === 0) out.push(w.noneWorse);
  const nameWidth = Math.max(0, ...digest.worse.map((x) => columns(figureName(ctx.defOf(x.figure), ctx)))) + 2;
  for (const x of digest.worse) {
    const def = ctx.defOf(x.figure);
    const value = digest.figures.find((f) => f.figure === x.figure && f.region === x.region)?.value ?? null;
    out.push(
      `  ${pad(ctx.region(x.region), regionWidth)}${pad(figureName(def, ctx), nameWidth)}${pad(valueText(def, value, w), TEXT_COLUMNS.value, true)}  ${pad(changeText(def, x.change, w), TEXT_COLUMNS.change)}${x.reason === 'new-shortfall' ? w.newShortfall : w.gotWorse}`,
    );
  }

  section(w.sections.figures);
  out.push(w.trendNoteText(ctx.weeks[0]!, ctx.weeks[ctx.weeks.length - 1]!));
  for (const { def, rows } of ctx.groups) {
    out.push('', w.withTarget(figureName(def, ctx), targetLine(def, rows, w)));
    for (const row of rows) {
      out.push(
        `  ${pad(ctx.region(row.region), regionWidth)}${pad(valueText(def, row.value, w), TEXT_COLUMNS.value, true)}  ${pad(metText(row.met, w), TEXT_COLUMNS.met)}${pad(changeText(def, row.change, w), TEXT_COLUMNS.change)}${spark(row.trend)}`,
      );
    }
  }

  const covers = coversText(ctx);
  if (covers) out.push('', covers);

  section(w.sections.alerts);
  const { alerts } = digest;
  const table = alertTable(ctx);
  const clock = clockPart(ctx);
  if (clock.labelled) out.push(w.alertsByEventTime, '');
  if (table.length === 0 && (clock.labelled || (clock.flaps.length === 0 && clock.oldestUnacked.length === 0))) out.push(w.noAlerts);
  else out.push(w.alertsSummary(sum(alerts.opened), sum(alerts.resolved), sum(alerts.stillOpen)));
  if (table.length) {
    const c = w.alertCols;
    const ruleWidth = Math.max(columns(c.rule), ...table.map((r) => columns(ctx.ruleName(r.rule)))) + 2;
    out.push('', `  ${pad(c.rule, ruleWidth)}${pad(c.region, regionWidth)}${pad(c.opened, 8, true)}${pad(c.resolved, 8, true)}${pad(c.stillOpen, 8, true)}`);
    for (const r of table) {
      out.push(
        `  ${pad(ctx.ruleName(r.rule), ruleWidth)}${pad(r.region === null ? w.noRegion : ctx.region(r.region), regionWidth)}${pad(String(r.opened), 8, true)}${pad(String(r.resolved), 8, true)}${pad(String(r.stillOpen), 8, true)}`,
      );
    }
  }
  if (clock.labelled) {
    out.push('', `-- ${w.detected} --`, w.detectedNote);
    if (clock.opened.length === 0 && clock.flaps.length === 0 && clock.oldestUnacked.length === 0) out.push(w.noneDetected);
    if (clock.opened.length) {
      out.push(w.detectedSummary(sum(clock.opened)));
      for (const a of clock.opened) out.push(`  - ${w.detectedLine(ctx.ruleName(a.rule), a.region === null ? w.noRegion : ctx.region(a.region), a.count)}`);
    }
  }
  if (clock.flaps.length) {
    out.push('', w.listHeading(w.flaps));
    for (const f of clock.flaps) {
      out.push(`  - ${w.flap(visibleText(f.alertId), ctx.ruleName(f.rule), f.region === null ? w.noRegion : ctx.region(f.region), f.reopens)}`);
      out.push(...linkLines({ view: ctx.links(f.alertId)?.view }, w));
    }
  }
  if (clock.oldestUnacked.length) {
    out.push('', w.listHeading(w.oldest));
    for (const a of clock.oldestUnacked) {
      const parts = [
        visibleText(a.alertId),
        ctx.ruleName(a.rule),
        a.region === null ? w.noRegion : ctx.region(a.region),
        visibleText(a.schoolId ?? '—'),
        timeText(a.openedAt, w),
        w.days(a.ageDays),
      ];
      out.push(`  - ${parts.join('  ')}`, ...linkLines(ctx.links(a.alertId) ?? {}, w));
    }
  }
  const judged = digest.judged;
  if (judged) {
    section(w.heading(w.sections.judged, judged.rules.length));
    const floor = floorText(judged.floor);
    if (judged.rules.length === 0) out.push(w.noneJudged(judged.days, floor, judged.minimum));
    else {
      const c = w.judgedCols;
      const ruleWidth = Math.max(columns(c.rule), ...judged.rules.map((r) => columns(ctx.ruleName(r.rule)))) + 2;
      const cols = [c.judged, c.precision, c.dataWrong, c.falseAlarm].map((h) => Math.max(8, columns(h) + 2));
      const row = (rule: string, values: string[]) => `  ${pad(rule, ruleWidth)}${values.map((v, i) => pad(v, cols[i]!, true)).join('')}`;
      out.push(w.judgedNote(judged.days, floor, judged.minimum), '', row(c.rule, [c.judged, c.precision, c.dataWrong, c.falseAlarm]));
      for (const r of judged.rules) out.push(row(ctx.ruleName(r.rule), [String(r.judged), w.percent(r.precision), String(r.dataWrong), String(r.falseAlarm)]));
    }
  }
  out.push('', w.attachment(xlsxName), '', '--', w.footer);
  if (images.cityOnly) out.push(w.trendCityOnly);
  return `${out.map((l) => l.trimEnd()).join('\n')}\n`;
}

/** An alert's links in the plain text, each URL whole at the end of its own line (a wrapped URL is not a link). */
function linkLines(links: { view?: string | undefined; ack?: string | undefined }, w: DigestWording): string[] {
  const lines: string[] = [];
  if (links.view !== undefined) lines.push(`    ${w.labelled(w.viewAlert, visibleText(links.view))}`);
  if (links.ack !== undefined) lines.push(`    ${w.labelled(w.ackAlert, visibleText(links.ack))}`);
  return lines;
}

/** The 8 weekly values as a terminal sparkline (`▁▂▄▆█`, a space for a missing week). */
function spark(values: ReadonlyArray<number | null>): string {
  const known = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (known.length === 0) return '';
  const [min, max] = [Math.min(...known), Math.max(...known)];
  const ticks = '▁▂▃▄▅▆▇█';
  return values
    .map((v) => (v === null || !Number.isFinite(v) ? ' ' : ticks[max === min ? 3 : Math.round(((v - min) / (max - min)) * (ticks.length - 1))]))
    .join('');
}

/** `text` padded with spaces to `width` terminal columns (on the left when `right`), at least one space after. */
function pad(text: string, width: number, right = false): string {
  const gap = ' '.repeat(Math.max(1, width - columns(text)));
  return right ? gap + text : text + gap;
}

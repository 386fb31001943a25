/**
 * How a rule's result is said to a person (issue 22): the one formatter every place that shows an
 * alert or a violation prints through (the alert email, `edumon alerts list`, `edumon rules run`),
 * and the parser of the rule-header fields it reads. Pure: no clock, no I/O.
 *
 * Each rule declares four fields (sql/rules/*.sql headers; alerts/runnerRules.ts for the rules the
 * runner raises), each `<中文> / <English>` (exactly one ` / `), Chinese first:
 *
 *   -- measure: 净录取人数 / net admissions                      what `observed` measures
 *   -- unit: 人 / students                                        the unit of `observed` and `threshold`
 *   -- comparison: 超过计划 / above the plan of                    how `observed` stands to `threshold`
 *   -- subject: 学生（化名 {short}） / student (pseudonym {short})  what `subject` is
 *
 * `measure`, `unit` and `subject` may add labels by subject value after `;`
 * (`-- unit: 天 / days; admission = 分钟 / minutes`): a key's own label replaces the default for
 * violations whose subject is that key. In `subject`, `{}` stands for the subject's label (its
 * value's label if declared, else the subject as stored) and `{short}` for its first 8 characters
 * and `…` (a pseudonym); `@feeds` adds every feed's label (domain/topics.ts feedLabels) as values.
 * `none` says the rule never has one: `unit`, `measure` and `comparison` are `none` together, only for
 * a rule whose observed and threshold are always null; `subject: none` for one whose subject is.
 * The Chinese side holds no Latin letter (placeholders aside): a key never reaches a Chinese reader.
 *
 * A result then reads `室外游戏场地生均面积 3.2 平方米/生，低于 4 平方米/生`, a subject
 * `办园条件 室外游戏场地`, and a data-health rule's policy (`none: 中文 / English`)
 * `无（数据质量规则）：中文`.
 */
import { feedLabels } from '../domain/topics.ts';

/** A reader's language: Chinese unless 'en' (core/config.ts `contacts[].language`). */
export type SayLanguage = 'zh-CN' | 'en';

/** One label in both languages. */
export interface Said {
  zh: string;
  en: string;
}

/** A label, and labels of its own for some subject values. */
export interface Keyed {
  label: Said;
  byKey: Readonly<Record<string, Said>>;
}

/** What a rule declares about saying its result; `null` fields are the header's `none`. */
export interface ResultWords {
  /** What `observed` measures (`室外游戏场地生均面积`), by subject value where it differs. */
  measure: Keyed | null;
  /** The unit of `observed` and `threshold` (`平方米/生`), by subject value where it differs. */
  unit: Keyed | null;
  /** How `observed` stands to `threshold` when it violates (`低于`, `超过计划`). */
  comparison: Said | null;
  /** The subject's form, `{}`/`{short}` placeholders included, and the labels of its values. */
  subject: Keyed | null;
}

/** The header fields the formatter needs, in the order a header lists them. */
export const RESULT_FIELDS = ['measure', 'unit', 'comparison', 'subject'] as const;
export type ResultField = (typeof RESULT_FIELDS)[number];

const LATIN = /[A-Za-z]/;
const PLACEHOLDER = /\{(?:short)?\}/g;

/**
 * The four fields' text (as a header writes them) parsed; throws Error saying which field is wrong
 * and how (the caller adds the file). Refuses a field whose Chinese side has a Latin letter, a
 * subject with values but no `{}`, and `none` for only some of measure, unit and comparison.
 */
export function parseResultWords(fields: Readonly<Record<ResultField, string>>): ResultWords {
  const none = RESULT_FIELDS.filter((f) => fields[f].trim() === 'none');
  const numbersNone = none.filter((f) => f !== 'subject');
  if (numbersNone.length > 0 && numbersNone.length < 3)
    throw new Error(
      `measure, unit and comparison are 'none' together (only for a rule whose observed and threshold are always null), not only ${numbersNone.join(', ')}`,
    );
  const measure = numbersNone.length ? null : keyed('measure', fields.measure);
  const unit = numbersNone.length ? null : keyed('unit', fields.unit);
  let comparison: Said | null = null;
  if (!numbersNone.length) {
    const c = keyed('comparison', fields.comparison);
    if (Object.keys(c.byKey).length) throw new Error(`comparison '${fields.comparison}' takes no values by key`);
    comparison = c.label;
  }
  const subject = none.includes('subject') ? null : keyed('subject', fields.subject);
  if (subject) {
    for (const side of [subject.label.zh, subject.label.en]) {
      const holes = side.match(PLACEHOLDER) ?? [];
      if (holes.length !== 1) throw new Error(`subject '${fields.subject}': each side names the subject once, with {} or {short}`);
      if (Object.keys(subject.byKey).length && holes[0] !== '{}') throw new Error(`subject '${fields.subject}': a subject with values shows them with {}`);
    }
  }
  return { measure, unit, comparison, subject };
}

/** `<中文> / <English>[; key = <中文> / <English>]...[; @feeds]`. */
function keyed(field: ResultField, text: string): Keyed {
  const parts = text.split(';').map((p) => p.trim());
  const label = said(field, parts[0] ?? '');
  const byKey: Record<string, Said> = {};
  for (const part of parts.slice(1)) {
    if (part === '@feeds') {
      for (const [k, v] of Object.entries(feedLabels)) byKey[k] = v;
      continue;
    }
    const m = /^([A-Za-z0-9_.-]+)\s*=\s*(.+)$/.exec(part);
    if (!m) throw new Error(`${field} '${text}': '${part}' is not <key> = <中文> / <English>`);
    if (byKey[m[1]!]) throw new Error(`${field} '${text}': key '${m[1]}' given twice`);
    byKey[m[1]!] = said(field, m[2]!);
  }
  return { label, byKey };
}

function said(field: ResultField, text: string): Said {
  const sides = text.split(' / ');
  if (sides.length !== 2 || !sides[0]!.trim() || !sides[1]!.trim()) throw new Error(`${field} '${text}' is not <中文> / <English> (one ' / ')`);
  const [zh, en] = sides.map((s) => s.trim()) as [string, string];
  if (LATIN.test(zh.replace(PLACEHOLDER, '')))
    throw new Error(`${field} '${text}': the Chinese side '${zh}' has a Latin letter (a key must not reach a Chinese reader)`);
  return { zh, en };
}

const zh = (language: SayLanguage | string | undefined) => language !== 'en';
const pick = (s: Said, language: SayLanguage | string | undefined) => (zh(language) ? s.zh : s.en);
const forKey = (k: Keyed, key: string | null) => (key !== null && k.byKey[key]) || k.label;

/** A violation's or alert's values as the formatter reads them: numbers from a rule run, text from the alerts table. */
export interface ResultRow {
  subject: string | null;
  observed: number | string | null;
  threshold: number | string | null;
}

/**
 * The subject in words (`学生（化名 3f2a9c1d…）`, `班级 G1-03`, `数据源 工资社保发放`), or null
 * when there is none. A rule without declarations (`says` null: an alert of a rule no longer in the
 * catalogue) shows the subject as stored.
 */
export function subjectWords(says: ResultWords | null, subject: string | null, language: SayLanguage | string | undefined): string | null {
  if (subject === null) return null;
  if (!says?.subject) return subject;
  const value = says.subject.byKey[subject];
  const short = Array.from(subject).length > 9 ? `${Array.from(subject).slice(0, 8).join('')}…` : subject;
  return pick(says.subject.label, language)
    .replace('{short}', short)
    .replace('{}', value ? pick(value, language) : subject);
}

/**
 * The result in words: what was measured with its unit, then how it stands to the threshold
 * (`室外游戏场地生均面积 3.2 平方米/生，低于 4 平方米/生`; English `Outdoor play area per child
 * 3.2 m²/child, below 4 m²/child`). Numbers are shown with at most two decimals and thousands
 * separators (`1,000,000 元`), with more decimals where two would make observed and threshold look
 * equal. Without a threshold, or with a bare `超过` (`above`) a threshold of 0, the measure alone;
 * without an observed value, that it could not be computed and the threshold; with neither
 * number, null. A value that is no number (a word) is shown as it is.
 */
export function resultWords(says: ResultWords | null, row: ResultRow, language: SayLanguage | string | undefined): string | null {
  if (row.observed === null && row.threshold === null) return null;
  const key = row.subject;
  const unit = says?.unit ? pick(forKey(says.unit, key), language) : null;
  const [o, t] = numbers(row.observed, row.threshold);
  const withUnit = (v: string | null, raw: number | string | null) => (v === null ? String(raw) : unit === null ? v : unit === '%' ? `${v}%` : `${v} ${unit}`);
  const cn = zh(language);
  const measure = says?.measure ? pick(forKey(says.measure, key), language) : cn ? '观测值' : 'observed';
  const head = (text: string) => (cn ? text : text.charAt(0).toUpperCase() + text.slice(1));
  // A rate over nothing (no teacher at all): nothing to show but the limit.
  if (row.observed === null)
    return head(cn ? `${measure}无法计算（阈值 ${withUnit(t, row.threshold)}）` : `${measure}: no value (threshold ${withUnit(t, row.threshold)})`);
  const observed = head(`${measure} ${withUnit(o, row.observed)}`);
  if (row.threshold === null) return observed;
  // `迟发 12 天，超过 0 天` says nothing the number does not: a bare 超过 of zero is left out.
  if (says?.comparison?.zh === '超过' && numberOf(row.threshold) === 0) return observed;
  const comparison = says?.comparison ? pick(says.comparison, language) : cn ? '阈值' : 'threshold';
  return `${observed}${cn ? '，' : ', '}${comparison} ${withUnit(t, row.threshold)}`;
}

/** Observed and threshold as shown: null for one that is no number; decimals added until unequal values look unequal. */
function numbers(observed: number | string | null, threshold: number | string | null): [string | null, string | null] {
  const a = numberOf(observed);
  const b = numberOf(threshold);
  for (let digits = 2; ; digits++) {
    const fa = a === null ? null : format(a, digits);
    const fb = b === null ? null : format(b, digits);
    if (a === null || b === null || a === b || fa !== fb || digits >= 6) return [fa, fb];
  }
}

function numberOf(v: number | string | null): number | null {
  if (v === null) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  return /^\s*-?\d+(?:\.\d+)?(?:e[+-]?\d+)?\s*$/i.test(v) ? Number(v) : null;
}

const formats = new Map<number, Intl.NumberFormat>();
function format(n: number, digits: number): string {
  let f = formats.get(digits);
  if (!f) {
    f = new Intl.NumberFormat('en-US', { maximumFractionDigits: digits });
    formats.set(digits, f);
  }
  return f.format(n);
}

/** A data-health rule's policy (`none: 中文 / English`) opens with this, in each language. */
const NO_CLAUSE: Said = { zh: '无（数据质量规则）：', en: 'None (data-health rule): ' };

/**
 * A rule's policy as a reader sees it: a plan clause as the plan writes it (in both languages: the
 * plan is Chinese), a data-health rule's `none: 中文 / English` as `无（数据质量规则）：中文` or
 * `None (data-health rule): English`.
 */
export function policyWords(policy: string, language: SayLanguage | string | undefined): string {
  const m = /^none:\s*(.*)$/su.exec(policy);
  if (!m) return policy;
  const at = m[1]!.indexOf(' / ');
  const [cnText, enText] = at < 0 ? [m[1]!, m[1]!] : [m[1]!.slice(0, at), m[1]!.slice(at + 3)];
  return zh(language) ? `${NO_CLAUSE.zh}${cnText.trim()}` : `${NO_CLAUSE.en}${enText.trim()}`;
}

/** The declarations as the catalogue (docs/rules.md) shows them: `平方米/生 / m²/child`, or `none`. */
export function declaredText(k: Keyed | Said | null): string {
  if (k === null) return 'none';
  if ('zh' in k) return `${k.zh} / ${k.en}`;
  const values = Object.entries(k.byKey).map(([key, v]) => `\`${key}\` = ${v.zh} / ${v.en}`);
  return [`${k.label.zh} / ${k.label.en}`, ...values].join('; ');
}

/**
 * The subject and the result in one line, for a table row (`edumon alerts list`, `edumon rules run`):
 * `班级 G1-07：班额 57 人，超过 55 人`; either alone when the other is none; null with neither.
 */
export function resultLine(says: ResultWords | null, row: ResultRow, language: SayLanguage | string | undefined): string | null {
  const parts = [subjectWords(says, row.subject, language), resultWords(says, row, language)].filter((p): p is string => p !== null);
  return parts.length ? parts.join(zh(language) ? '：' : ': ') : null;
}

/**
 * What a rule's results say, for the rule catalogue (`edumon rules list`): the measure with its
 * unit and the comparison (`班额（人），超过`), then the subject's form (`对象：班级 {}`); the
 * labels by subject value are left to docs/rules.md. Null for a rule that declares none of them.
 */
export function saysLine(says: ResultWords, language: SayLanguage | string | undefined): string | null {
  const cn = zh(language);
  const parts: string[] = [];
  if (says.measure && says.unit && says.comparison) {
    const unit = pick(says.unit.label, language);
    parts.push(`${pick(says.measure.label, language)}${cn ? `（${unit}），` : ` (${unit}), `}${pick(says.comparison, language)}`);
  }
  if (says.subject) parts.push(`${cn ? '对象：' : 'subject: '}${pick(says.subject.label, language)}`);
  return parts.length ? parts.join(cn ? '；' : '; ') : null;
}

/**
 * The rule catalogue: sql/rules/<RULE-ID>.sql, each opening with a machine-readable header
 * (`-- key: value` lines: rule, title, severity, cadence, feeds, params, policy, measure, unit,
 * comparison, subject), then comment lines saying what it detects. A missing or unknown field, an id
 * that is not the file name, a policy that quotes no plan clause, a result field that does not say
 * how to read the result (alerts/resultWords.ts: the unit of observed and threshold, the
 * comparison in words, what observed measures, what the subject is, Chinese first), or a parameter
 * the SQL uses but the header does not declare (or the reverse) fails at start-up, naming the file
 * and the field. docs/rules.md is generated from these headers.
 *
 * ```sql
 * -- policy: 学前 3：「室外游戏场地生均面积（≥4平方米）……」     (or none: 中文 / English, a data-health rule)
 * -- measure: 生均面积 / area per child; outdoor = 室外游戏场地生均面积 / outdoor play area per child; ...
 * -- unit: 平方米/生 / m²/child
 * -- comparison: 低于 / below
 * -- subject: 办园条件 {} / facility measure {}; outdoor = 室外游戏场地 / outdoor play area; ...
 * ```
 */

import { sqlFiles, sqlText } from '../core/db.ts';
import { EdumonError, UsageError } from '../core/errors.ts';
import { type Feed, feeds } from '../domain/topics.ts';
import { parseResultWords, RESULT_FIELDS, type ResultWords } from './resultWords.ts';
import { RULE_PARAMS, type RuleParam } from './ruleParams.ts';

export type Severity = 'critical' | 'warning' | 'info';
export type Cadence = 'season' | 'daily';

export interface Rule {
  id: string;
  /** Chinese and English, as written in the header: `超计划招生 / Admissions above the approved plan`. */
  title: string;
  severity: Severity;
  cadence: Cadence;
  /**
   * The feeds its SQL reads (`-- feeds: registry, payroll`): it judges as of the earliest of the
   * requested moment and their watermarks (alerts/feedWatermarks.ts), and is not scheduled while
   * one of them has nothing stored.
   */
  feeds: Feed[];
  /**
   * False for a rule that reports on the feeds themselves (`-- feeds: ... (uncapped)`,
   * DQ-STALE-FEED): it judges as of the requested moment, whatever the watermarks.
   */
  capped: boolean;
  params: RuleParam[];
  /**
   * The plan clause it enforces, quoted as the plan writes it: `县中 6：「严禁……超计划招生……」`
   * (学前 = the preschool plan, 县中 = the county high school plan; the number is the plan's own),
   * or `none: <中文> / <English>` for a data-health rule no clause asks for (shown as
   * `无（数据质量规则）：<中文>`, alerts/resultWords.ts policyWords).
   */
  policy: string;
  /** How its result is said: what observed measures, the unit, the comparison, the subject (alerts/resultWords.ts). */
  says: ResultWords;
  /** What it detects: the comment lines under the header, joined. */
  detects: string;
  sql: string;
  /** Where it came from, for messages: sql/rules/<id>.sql. */
  file: string;
}

const FIELDS = ['rule', 'title', 'severity', 'cadence', 'feeds', 'params', 'policy', ...RESULT_FIELDS] as const;
const KNOWN_FEEDS: readonly string[] = feeds;
const SEVERITIES: readonly string[] = ['critical', 'warning', 'info'];
const CADENCES: readonly string[] = ['season', 'daily'];
const KNOWN_PARAMS: ReadonlySet<string> = new Set(RULE_PARAMS);
/** A plan, a clause number and at least one quotation; or an explicit none with a reason, Chinese first, then English. */
export const POLICY = /^(?:(?:学前|县中) [^\s：]+：「[^」]+」.*|none: (?![A-Za-z\s])[^/]*\p{Script=Han}[^/]* \/ [A-Za-z].*)$/u;

/** Parses one rule file's text; `file` is the name used in errors and must be <id>.sql. */
export function parseRule(file: string, text: string): Rule {
  const fail = (why: string) => new EdumonError(`rule file ${file}: ${why}`);
  const header = new Map<string, string>();
  const lines = text.split('\n');
  let n = 0;
  for (const line of lines) {
    const m = /^--\s*([a-z_]+):\s*(.*?)\s*$/.exec(line);
    if (!m) break;
    n++;
    const [, key, value] = m as unknown as [string, string, string];
    if (!(FIELDS as readonly string[]).includes(key)) throw fail(`unknown header field '${key}' (expected ${FIELDS.join(', ')})`);
    if (header.has(key)) throw fail(`header field '${key}' given twice`);
    header.set(key, value);
  }
  const missing = FIELDS.filter((f) => !header.get(f) && f !== 'params');
  if (missing.length || !header.has('params')) throw fail(`missing header field(s): ${[...missing, ...(header.has('params') ? [] : ['params'])].join(', ')}`);
  const id = header.get('rule')!;
  if (!file.endsWith(`/${id}.sql`) && file !== `${id}.sql`) throw fail(`rule id '${id}' does not match the file name`);
  const severity = header.get('severity')!;
  if (!SEVERITIES.includes(severity)) throw fail(`severity '${severity}' is not one of ${SEVERITIES.join(', ')}`);
  const cadence = header.get('cadence')!;
  if (!CADENCES.includes(cadence)) throw fail(`cadence '${cadence}' is not one of ${CADENCES.join(', ')}`);
  const feedsText = header.get('feeds')!;
  const capped = !/\s*\(uncapped\)$/.test(feedsText);
  const ruleFeeds = feedsText
    .replace(/\s*\(uncapped\)$/, '')
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  const unknownFeeds = ruleFeeds.filter((f) => !KNOWN_FEEDS.includes(f));
  if (unknownFeeds.length) throw fail(`unknown feed(s) ${unknownFeeds.join(', ')} (known: ${feeds.join(', ')})`);
  if (!ruleFeeds.length) throw fail('feeds names no feed (the feeds its SQL reads, e.g. registry, payroll)');
  const params = header
    .get('params')!
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const unknown = params.filter((p) => !KNOWN_PARAMS.has(p));
  if (unknown.length) throw fail(`unknown parameter(s) ${unknown.join(', ')} (known: ${RULE_PARAMS.join(', ')})`);
  if (!params.includes('as_of')) throw fail(`params must include as_of`);
  const policy = header.get('policy')!;
  if (!POLICY.test(policy))
    throw fail(`policy '${policy}' quotes no plan clause (expected 学前|县中 <clause>：「<the plan's words>」, or none: <why in Chinese> / <why in English>)`);
  let says: ResultWords;
  try {
    says = parseResultWords(Object.fromEntries(RESULT_FIELDS.map((f) => [f, header.get(f)!])) as Record<(typeof RESULT_FIELDS)[number], string>);
  } catch (err) {
    throw fail((err as Error).message);
  }
  const sqlStart = lines.findIndex((l, i) => i >= n && !l.startsWith('--'));
  const detects = lines
    .slice(n, sqlStart < 0 ? undefined : sqlStart)
    .map((l) => l.replace(/^--\s?/, '').trim())
    .join(' ')
    .trim();
  if (!detects) throw fail('no comment under the header saying what the rule detects');
  const used = sqlParams(text);
  const undeclared = [...used].filter((p) => !params.includes(p));
  if (undeclared.length) throw fail(`SQL uses undeclared parameter(s) ${undeclared.join(', ')}`);
  const unused = params.filter((p) => !used.has(p));
  if (unused.length) throw fail(`declared parameter(s) ${unused.join(', ')} are not used`);
  return {
    id,
    title: header.get('title')!,
    severity: severity as Severity,
    cadence: cadence as Cadence,
    feeds: ruleFeeds as Feed[],
    capped,
    params: params as RuleParam[],
    policy,
    says,
    detects,
    sql: text,
    file,
  };
}

/** SQL without its `--` comments. */
export function sqlBody(sql: string): string {
  return sql.replace(/--[^\n]*/g, '');
}

/** The named `$parameters` the SQL uses (comments ignored). */
export function sqlParams(sql: string): Set<string> {
  return new Set([...sqlBody(sql).matchAll(/\$([a-z_][a-z0-9_]*)/g)].map((m) => m[1]!));
}

let loaded: Rule[] | undefined;

/** Every rule of sql/rules/, sorted by id; parsed once. */
export function loadRules(): Rule[] {
  loaded ??= sqlFiles('rules').map((name) => parseRule(`sql/${name}.sql`, sqlText(name)));
  return loaded;
}

/** One rule by id; an unknown id fails (exit 2) naming the closest known id, if one is close, and all of them. */
export function ruleById(id: string): Rule {
  const rule = loadRules().find((r) => r.id === id);
  if (rule) return rule;
  const ids = loadRules().map((r) => r.id);
  const scored = ids.map((known) => ({ known, d: editDistance(id.toUpperCase(), known) })).sort((a, b) => a.d - b.d);
  const closest = scored[0] && scored[0].d <= Math.max(2, Math.floor(scored[0].known.length / 3)) ? `; did you mean '${scored[0].known}'?` : '';
  throw new UsageError(`unknown rule '${id}'${closest} (known: ${ids.join(', ')})`);
}

/** Levenshtein distance, for suggesting the rule id a typo meant. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

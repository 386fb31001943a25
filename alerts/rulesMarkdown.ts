/**
 * docs/rules.md, rendered from the rule files' headers (alerts/rules.ts) and the parameters'
 * default values: the catalogue a reader sees can only say what the code runs.
 */

import type { Config } from '../core/config.ts';
import { feedCompletenessTable, worstAlertDelay } from './feedCompleteness.ts';
import { CALENDAR_HORIZON_DAYS } from './notify/calendar.ts';
import { declaredText, type ResultWords } from './resultWords.ts';
import type { RuleParam } from './ruleParams.ts';
import type { Rule } from './rules.ts';
import type { RunnerRule } from './runnerRules.ts';

/** The clauses a policy quotes, e.g. `县中 6, 县中 17`. */
const clauses = (policy: string) => [...policy.matchAll(/(?:学前|县中) [^\s：]+(?=：)/gu)].map((m) => m[0]).join(', ') || 'none';

/** The feeds a rule reads, and whether their watermarks cap its moment. */
const feedList = (r: Rule) => `${r.feeds.join(', ')}${r.capped ? '' : ' (uncapped: as of the requested moment)'}`;

/** How a rule's result is said (alerts/resultWords.ts): the catalogue's lines for its four header fields. */
const saysLines = (says: ResultWords) => [
  `- Observed: ${declaredText(says.measure)}`,
  `- Unit: ${declaredText(says.unit)}`,
  `- Comparison: ${declaredText(says.comparison)}`,
  `- Subject: ${declaredText(says.subject)}`,
];

/**
 * The document; `defaults` gives each parameter's value under the default configuration, `config`
 * that configuration (the feeds' settings), `runner` the data-health rules the rule runner raises
 * (no file of their own), listed with the others.
 */
export function rulesMarkdown(
  rules: readonly Rule[],
  defaults: Readonly<Record<RuleParam, string | number>>,
  config: Pick<Config, 'feeds' | 'rules'>,
  runner: readonly RunnerRule[] = [],
): string {
  const param = (p: RuleParam) => (p === 'as_of' ? '`as_of` (the moment evaluated)' : `\`${p}\` (default \`${defaults[p] === '' ? "''" : defaults[p]}\`)`);
  const out = [
    '# Rule catalogue',
    '',
    '<!-- Generated from the headers of sql/rules/*.sql by `npm run docs`; a test fails when it drifts. Edit the headers, not this file. -->',
    '',
    'Each rule is one SQL file, `sql/rules/<RULE-ID>.sql`, that returns one row per violation as of a',
    'given moment (never `now()`). Its header names the clause of the two Jiaozuo plans of 2023 it',
    'enforces, quoted as the plan writes it: **学前** is the preschool plan',
    '(焦作市“十四五”学前教育发展提升行动计划实施方案), **县中** the county high school plan',
    "(焦作市“十四五”县域普通高中发展提升行动计划实施方案); the clause number is the plan's own",
    '(一, 二: its targets; 1, 2, ...: its measures). Data-health rules enforce no clause: their policy',
    'is `none: <中文> / <English>`, shown as `无（数据质量规则）：<中文>`.',
    '',
    'The header also says how a result reads to an official (alerts/resultWords.ts; every email,',
    '`edumon alerts list` and `edumon rules run` print through it): **Observed** is what `observed`',
    'measures, its **unit** (that of the threshold too) and the **comparison** in words; **Subject** is',
    "the form the subject takes (`{}` the subject, or its value's label; `{short}` its first 8",
    'characters, for a pseudonym), with labels for enumerated values. Each is `<中文> / <English>`, a',
    "value's own label after `;` as `key = <中文> / <English>` (`@feeds`: the feeds' names), `none`",
    'when a rule has none. So KG-FACILITY reads `办园条件 室外游戏场地` and',
    '`室外游戏场地生均面积 3.2 平方米/生，低于 4 平方米/生`, never `outdoor 3.2 4`.',
    '',
    '**Severity**: `critical` is a forbidden act or a hard limit broken, `warning` a target missed',
    'or at risk. **Cadence**: `season` rules run every 10 s (`EDUMON_RULES_TICK_SECONDS`) inside the',
    'admission season (default 15 June to 31 August, Asia/Shanghai) and hourly outside it; `daily`',
    'rules run at 02:00; `runner`',
    'rules are raised by the rule runner with the run of any rule.',
    "Thresholds are parameters (`rules` in the configuration); their defaults are the plans' numbers.",
    '',
    '**Feeds**: each rule reads some of the feeds (`registry`, `admission`, `enrollment`, `payroll`,',
    '`funds`; domain/contract.ts `feedOf`) and judges as of its **effective moment**: the earliest of',
    "the requested moment and those feeds' watermarks (how far in `occurred_at` the stored data is",
    "complete: the feed's progress, minus its allowed lateness `feeds.<feed>.allowedLatenessMinutes` or",
    '`feeds.allowedLatenessMinutes` while its events keep arriving). A rule whose feed has nothing',
    'stored is not scheduled. DQ-STALE-FEED reports the feeds themselves and judges as of the requested moment.',
    "A person's `edumon rules run --dry-run` on a warehouse holding every event published judges as of the",
    'moment asked, naming the feeds with nothing near it; an applied run judges as the scheduler does.',
    '',
    '### When a feed counts as complete',
    '',
    'The allowed lateness waits for stragglers, not for ever. A feed none of whose partitions is still being caught up may be quiet',
    'because nothing happened: it then follows the most complete feed (and, once every feed is quiet with',
    'nothing left to read, the clock minus its own lateness) as far as the calendar explains its quiet.',
    '',
    ...feedCompletenessTable(config),
    '',
    'A violation is named by (`rule`, `school_id`, `region_code`, `period`, `subject`): the same five',
    'values from run to run are the same alert. A violation that is no longer found resolves its',
    'alert; found again, it reopens. Dates and months are taken in Asia/Shanghai. Besides these',
    "files, the rule runner raises `DQ-RULE-FAILED` (critical) when a rule's SQL fails or times out, and",
    '`DQ-ALERT-STORM` (critical) when one run of a rule would open a storm of alerts, which it holds back;',
    'the mail sender raises `DQ-NOTIFY-FAILED` (critical) when an alert email cannot be delivered, and',
    `\`edumon run\` raises \`DQ-CALENDAR-STALE\` (warning) when the holiday calendar does not cover the next ${CALENDAR_HORIZON_DAYS} days.`,
    '',
    '### What a violation row names',
    '',
    '| rules | `school_id` | `region_code` | `period` | `subject` |',
    '|---|---|---|---|---|',
    "| ADM-* but the two sizes | the admitting or enrolling school | its region | admission year `YYYY` | the student's pseudonym (null for ADM-OVER-QUOTA, ADM-NO-PLAN and a private window opening early) |",
    '| ADM-CLASS-SIZE, ADM-SCHOOL-SIZE | the school | its region | academic year `YYYY` | the `class_id` (null for the school size) |',
    '| WAGE-*, INSURANCE-MISSING | the paying school | its region | month `YYYY-MM` | the staff pseudonym |',
    '| STAFF-* | the private or receiving school | its region | month `YYYY-MM` of the finding | the staff pseudonym |',
    '| KG-GER, KG-PUHUI, KG-PUBLIC-SHARE, HS-GER, KG-RESEARCHER | null | the region, or 410800 for the city | year `YYYY` | null |',
    '| KG-TEACHER-RATIO, KG-FACILITY, KG-UNLICENSED, HS-TUITION, HS-TEACHERS, HS-FUNDS | the school | its region | year `YYYY` (HS-FUNDS: fiscal year) | null; KG-FACILITY: the floor missed, `outdoor`, `activity` or `building` |',
    "| KG-TOWNSHIP-CENTRAL | null | the township's region | year `YYYY` | the township code |",
    '| KG-NEW-PUBLIC-PLACES | null | 410800 | year `YYYY` | null |',
    '| DQ-UNKNOWN-SCHOOL | the unknown code | null | date `YYYY-MM-DD` | null |',
    '| DQ-STALE-FEED, DQ-RULE-FAILED, DQ-ALERT-STORM | null | null | date `YYYY-MM-DD` (DQ-STALE-FEED: the year `YYYY`, one alert per feed a year) | the feed; the failed rule id; the rule whose alerts are held |',
    "| DQ-NOTIFY-FAILED | null | the contact's region (null for escalation and data-team contacts) | date `YYYY-MM-DD` of the failure | the contact id (never the address) |",
    '| DQ-CALENDAR-STALE | null | null | date `YYYY-MM-DD`: the first uncovered day (1 January of the uncovered year) | `notify.calendarOverrides`, the key to fill |',
    '',
    '### The rules',
    '',
    'The last column says how late its alert can come at worst after the event that makes the violation',
    'is stored, its feeds reporting as the calendar above expects.',
    '',
    '| id | title | severity | cadence | feeds | plan | alert at the latest |',
    '|---|---|---|---|---|---|---|',
    ...[...rules, ...runner]
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .map(
        (r) =>
          `| [${r.id}](#${r.id.toLowerCase()}) | ${r.title} | ${r.severity} | ${'cadence' in r ? r.cadence : ((r as RunnerRule).raised?.cadence ?? 'runner')} | ${'feeds' in r ? feedList(r) : ((r as RunnerRule).raised?.feeds ?? 'those of the rule run')} | ${clauses(r.policy)} | ${'feeds' in r ? worstAlertDelay(r, config) : 'with the run that raises it'} |`,
      ),
  ];
  const files = new Set(rules.map((r) => r.id));
  for (const r of [...rules, ...runner].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    if (!files.has(r.id)) {
      const raised = r as RunnerRule;
      out.push(
        '',
        `## ${r.id}`,
        '',
        `${r.title}. **${r.severity}**, raised ${raised.raised?.when ?? "by the rule runner with any rule's run"}.`,
        '',
        `- Policy: ${r.policy}`,
        ...saysLines(r.says),
        `- Detects: ${r.detects}`,
        `- Configuration: ${raised.settings.join(', ')}`,
        `- Raised by: \`${raised.raisedBy.split(', ').join('`, `')}\``,
      );
      continue;
    }
    const rule = r as Rule;
    out.push(
      '',
      `## ${r.id}`,
      '',
      `${rule.title}. **${rule.severity}**, ${rule.cadence}.`,
      '',
      `- Policy: ${rule.policy}`,
      ...saysLines(rule.says),
      `- Detects: ${rule.detects}`,
      `- Feeds: ${feedList(rule)}`,
      `- Parameters: ${rule.params.map(param).join(', ')}`,
      `- File: \`${rule.file}\``,
    );
  }
  return `${out.join('\n')}\n`;
}

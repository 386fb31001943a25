/**
 * The data-health rules the rule runner raises itself, having no SQL file of their own: what the
 * catalogue (docs/rules.md) says of them, beside the rules of sql/rules/.
 */
import type { Config } from '../core/config.ts';
import { EdumonError } from '../core/errors.ts';
import { ALERT_STORM, ALERT_STORM_SEVERITY } from './alertStorm.ts';
import { RULE_FAILED } from './applyRules.ts';
import { CALENDAR_HORIZON_DAYS, CALENDAR_PACKAGE, FIXED_HOLIDAYS } from './notify/calendar.ts';
import { CALENDAR_CONFIG_KEY, CALENDAR_STALE, CALENDAR_STALE_SEVERITY } from './notify/calendarStale.ts';
import { NOTIFY_FAILED, NOTIFY_FAILED_SEVERITY } from './notify/notifyFailed.ts';
import { parseResultWords, type ResultField, type ResultWords } from './resultWords.ts';
import type { Rule } from './rules.ts';

/** A runner-raised rule as the catalogue lists it; `settings` names the configuration it reads. */
export type RunnerRule = Pick<Rule, 'id' | 'title' | 'severity' | 'policy' | 'says' | 'detects'> & {
  raisedBy: string;
  settings: string[];
  /** For a rule raised outside rule runs: when (the catalogue's sentence), its cadence and feeds columns. */
  raised?: { when: string; cadence: string; feeds: string };
};

/** DQ-RULE-FAILED, DQ-ALERT-STORM, DQ-NOTIFY-FAILED and DQ-CALENDAR-STALE, with the configuration's values of what they read. */
export function runnerRules(
  rules: Pick<Config['rules'], 'timeoutMs' | 'stormMaxOpens' | 'stormMaxShare'>,
  notify: Pick<Config['notify'], 'giveUpAfterHours' | 'retryInitialMs' | 'retryMaxMs' | 'smtpTimeoutMs'>,
): RunnerRule[] {
  const fixed = [...new Set(FIXED_HOLIDAYS.map((h) => h.name))].join('、');
  return [
    {
      id: CALENDAR_STALE,
      title: `节假日日历未覆盖 / The holiday calendar does not cover the next ${CALENDAR_HORIZON_DAYS} days`,
      severity: CALENDAR_STALE_SEVERITY,
      policy: `none: 日历未覆盖的年份，春节等农历节假日与调休不会静默通知，周报可能在假日发出；请按国务院办公厅节假日安排通知，在配置项 ${CALENDAR_CONFIG_KEY} 中补充该年的放假日与调休上班日。 / A year the calendar does not cover mutes no lunar holiday and knows no 调休: copy that year's State Council notice into ${CALENDAR_CONFIG_KEY}.`,
      says: says(CALENDAR_STALE, {
        measure: '距首个未覆盖日 / until the first uncovered day',
        unit: '天 / days',
        comparison: '少于应提前的 / less than the notice of',
        subject: `{} / {}; ${CALENDAR_CONFIG_KEY} = 节假日日历（需补充当年的放假安排） / holiday calendar (the year's notice to add)`,
      }),
      detects:
        `A day within the next ${CALENDAR_HORIZON_DAYS} days (Asia/Shanghai) of a year the holiday calendar does not cover: neither the \`${CALENDAR_PACKAGE}\` data nor \`${CALENDAR_CONFIG_KEY}\` (any entry dated in a year counts as that year's notice) lists it. ` +
        `Until covered, only the statutory holidays on fixed dates (${fixed}: 1 January, 1–2 May, 1–3 October; 《全国年节及纪念日放假办法》 article 2) are muted in it. ` +
        'One alert per uncovered year, resolved once the year is covered (the package updated, or the overrides filled and the service restarted). ' +
        `Period: the first uncovered day (1 January of that year); subject: \`${CALENDAR_CONFIG_KEY}\`, the key to fill; observed: days until that day (0 once it has come); threshold: ${CALENDAR_HORIZON_DAYS}; details: first_uncovered_day, config_key, calendar (the package and its version).`,
      raisedBy: 'service/calendarJob.ts, alerts/notify/calendarStale.ts',
      raised: { when: 'by `edumon run` at start and daily at 00:05 Asia/Shanghai', cadence: 'daily', feeds: 'none' },
      settings: [`\`${CALENDAR_CONFIG_KEY}\` (default \`[]\`)`],
    },
    {
      id: ALERT_STORM,
      title: '告警风暴 / One rule run would open a storm of alerts',
      severity: ALERT_STORM_SEVERITY,
      policy:
        'none: 一次运行突然出现大量新告警，多半是数据源仍在补录，而非违规激增；暂缓打开，免得各局收到一小时后又消失的告警。 / A flood of new alerts from one run is likelier a feed still filling than a flood of violations; holding it back spares the bureaus alerts that vanish an hour later.',
      says: says(ALERT_STORM, {
        measure: '暂缓打开的新告警 / new alerts held back',
        unit: '条 / alerts',
        comparison: '超过 / above',
        subject: '规则 {} / rule {}',
      }),
      detects:
        'A successful run of a rule that would open (or reopen) more alerts than `stormMaxOpens`, making up more than `stormMaxShare` of the violations the run found (both bounds passed: a first run, where all is new, is held by the count alone). ' +
        'Those alerts are held back (`held_alerts`), not opened; the rule resolves and updates its other alerts as usual. ' +
        'Its next run opens those it finds again (new ones beyond the bound are held again), or `edumon alerts release --rule ID` opens them all; then, or when they vanish, this alert resolves. ' +
        'Observed: the alerts held; threshold: `stormMaxOpens`; details: held, found, share and the bound. Period: the Shanghai date of the run that held them; subject: the rule id.',
      raisedBy: 'alerts/applyRules.ts, alerts/alertStorm.ts',
      settings: [`\`rules.stormMaxOpens\` (default \`${rules.stormMaxOpens}\`)`, `\`rules.stormMaxShare\` (default \`${rules.stormMaxShare}\`)`],
    },
    {
      id: RULE_FAILED,
      title: '规则运行失败 / A rule failed or timed out',
      severity: 'critical',
      policy: 'none: 无法运行的规则既不会发出告警，也不会恢复告警。 / A rule that cannot run raises none of its alerts, and resolves none.',
      says: says(RULE_FAILED, { measure: 'none', unit: 'none', comparison: 'none', subject: '规则 {} / rule {}' }),
      detects:
        "A rule whose SQL fails or runs past the timeout; its own alerts stay as they were (absence from a failed run proves nothing). Resolved by the rule's next successful run. Period: the Shanghai date of the failed run; subject: the rule id; details: the error.",
      raisedBy: 'alerts/applyRules.ts',
      settings: [`\`rules.timeoutMs\` (default \`${rules.timeoutMs}\`)`],
    },
    {
      id: NOTIFY_FAILED,
      title: '通知发送失败 / An alert email could not be delivered',
      severity: NOTIFY_FAILED_SEVERITY,
      policy:
        'none: 没有送达的告警保护不了任何人：须另行告知该局，并改正邮箱地址。 / An alert nobody received protects nobody: the bureau must learn another way, and the address be fixed.',
      says: says(NOTIFY_FAILED, { measure: 'none', unit: 'none', comparison: 'none', subject: '联系人 {} / contact {}' }),
      detects:
        'An alert email (one outbox row) the SMTP server refused for good (a 5xx reply, a rejected recipient included), or did not accept within `notify.giveUpAfterHours` of being written, however often it was tried: a 4xx reply, a transport error or no reply to the message (tried again with the same Message-ID) wait a backoff doubling from `notify.retryInitialMs` to `notify.retryMaxMs`. ' +
        'One alert per contact and Shanghai day of the failure; resolved when an email to that contact is next accepted. ' +
        'Region: the region the contact is listed under (none for escalation and data-team contacts); subject: the contact id, never the address; details: the outbox id, the SMTP code, the reply (truncated) and how many emails to the contact failed since one was last accepted.',
      raisedBy: 'service/mailSender.ts, alerts/notify/notifyFailed.ts',
      raised: { when: 'by the mail sender of `edumon run`, in the transaction recording the failed attempt', cadence: 'sender', feeds: 'none' },
      settings: [
        `\`notify.giveUpAfterHours\` (default \`${notify.giveUpAfterHours}\`)`,
        `\`notify.retryInitialMs\` (default \`${notify.retryInitialMs}\`)`,
        `\`notify.retryMaxMs\` (default \`${notify.retryMaxMs}\`)`,
        `\`notify.smtpTimeoutMs\` (default \`${notify.smtpTimeoutMs}\`)`,
      ],
    },
  ];
}

/** A runner rule's result fields, written as a rule header writes them (alerts/resultWords.ts); a bad one fails at start-up, naming the rule and the field. */
function says(id: string, fields: Record<ResultField, string>): ResultWords {
  try {
    return parseResultWords(fields);
  } catch (err) {
    throw new EdumonError(`runner rule ${id}: ${(err as Error).message}`);
  }
}

/**
 * Every fixed word of an alert email, in both languages a contact may read (Chinese first, the
 * product's rule), kept in one table so a translation is checked side by side with its original.
 * Values from the alerts (school names, rule titles, policy clauses) are never in here: they come
 * already in the reader's language (alerts/notify/model.ts).
 */
import type { Severity } from '../rules.ts';
import type { NoticeKind } from './model.ts';

/** A contact's language (core/config.ts `contacts[].language`). */
export type Language = 'zh-CN' | 'en';

/** The words of one language; the functions put counts and values where each language wants them. */
export interface Wording {
  severity: Record<Severity, string>;
  kind: Record<NoticeKind, string>;
  /** The subject's bracketed tag: `【严重】` / `[Critical] `. */
  tag: (label: string) => string;
  reminderLabel: string;
  escalateLabel: string;
  resolvedLabel: string;
  /** Subject: region, then the count of new alerts, then the per-rule counts (already joined). */
  newAlerts: (region: string, n: number, perRule: string) => string;
  /** Subject: `武陟县 2 条告警未确认`. */
  unacknowledged: (region: string, n: number) => string;
  escalated: (region: string, n: number) => string;
  resolved: (region: string, n: number) => string;
  /** Subject tail for what else a mixed email holds: `另 1 条超期未确认，2 条未确认，1 条已恢复`. */
  alsoEscalated: (n: number) => string;
  alsoUnacknowledged: (n: number) => string;
  alsoResolved: (n: number) => string;
  also: (parts: string[]) => string;
  /** One rule's count in the subject, and the joiner, and what stands for the rules left out. */
  ruleCount: (title: string, n: number) => string;
  listSeparator: string;
  andMore: string;
  /** The region shown when the email is the data team's (no region). */
  dataQuality: string;
  sections: { new: string; escalate: string; renotify: string; resolve: string };
  /** A section's heading with its count (`3`, or `50/60` when the body lists only some). */
  heading: (name: string, count: string) => string;
  greeting: (name: string) => string;
  /** A label and its value: `学校：…` / `School: …`. */
  labelled: (label: string, value: string) => string;
  /** A name with its code: `武陟县第一中学（410823001）`. */
  withCode: (name: string, code: string) => string;
  composedAt: string;
  school: string;
  unregisteredSchool: string;
  region: string;
  period: string;
  subject: string;
  /** What was measured against the limit, in words (alerts/resultWords.ts). */
  result: string;
  firstSeen: string;
  resolvedAt: string;
  openFor: (duration: string) => string;
  duration: (days: number, hours: number, minutes: number) => string;
  policy: string;
  /** Said for the clause of an item citing the same one as the item above it. */
  sameAsAbove: string;
  eventId: string;
  occurrence: (n: number) => string;
  flap: (n: number) => string;
  acknowledged: string;
  alertId: string;
  /** A moment in Shanghai: `2025-07-12 10:55（北京时间）`. */
  time: (wall: string) => string;
  /** Said when the body lists only the first `shown` of `total` alerts. */
  moreInAttachment: (shown: number, total: number, filename: string) => string;
  /** The footer, and the footer of an email whose alerts carry console links (acknowledge through the link). */
  footer: string;
  footerWithLinks: string;
  /** The two links of an alert: its console page, and the signed acknowledge link (alerts/notify/alertLinks.ts). */
  viewAlert: string;
  ackAlert: string;
  /** The CSV attachment's header row, in the column order of alerts/notify/render.ts. */
  csvHeader: readonly string[];
  /** The two columns the CSV ends with when the alerts carry console links: view, then acknowledge. */
  csvLinkHeader: readonly [string, string];
  yes: string;
  no: string;
}

const zh: Wording = {
  severity: { critical: '严重', warning: '警告', info: '提示' },
  kind: { open: '新告警', reopen: '再次出现', resolve: '已恢复', renotify: '未确认', escalate: '超期未确认' },
  tag: (label) => `【${label}】`,
  reminderLabel: '提醒',
  escalateLabel: '升级',
  resolvedLabel: '已恢复',
  newAlerts: (region, n, perRule) => `${region} ${n} 条新告警：${perRule}`,
  unacknowledged: (region, n) => `${region} ${n} 条告警未确认`,
  escalated: (region, n) => `${region} ${n} 条告警超期未确认`,
  resolved: (region, n) => `${region} ${n} 条告警已恢复`,
  alsoEscalated: (n) => `${n} 条超期未确认`,
  alsoUnacknowledged: (n) => `${n} 条未确认`,
  alsoResolved: (n) => `${n} 条已恢复`,
  also: (parts) => `；另 ${parts.join('，')}`,
  ruleCount: (title, n) => `${title} ${n}`,
  listSeparator: '，',
  andMore: ' 等',
  dataQuality: '数据质量',
  sections: { new: '新告警', escalate: '升级：超期未确认', renotify: '未确认提醒', resolve: '已恢复' },
  heading: (name, count) => `${name}（${count}）`,
  greeting: (name) => `${name}：`,
  labelled: (label, value) => `${label}：${value}`,
  withCode: (name, code) => `${name}（${code}）`,
  composedAt: '生成时间',
  school: '学校',
  unregisteredSchool: '未登记学校',
  region: '地区',
  period: '期间',
  subject: '对象',
  result: '结果',
  firstSeen: '首次发现',
  resolvedAt: '恢复时间',
  openFor: (duration) => `已持续 ${duration}，尚未确认`,
  duration: (d, h, m) => (d > 0 ? `${d} 天 ${h} 小时` : h > 0 ? `${h} 小时 ${m} 分钟` : `${m} 分钟`),
  policy: '政策依据',
  sameAsAbove: '同上',
  eventId: '来源记录编号',
  occurrence: (n) => `第 ${n} 次`,
  flap: (n) => `今日反复 ${n} 次`,
  acknowledged: '已确认',
  alertId: '告警编号',
  time: (wall) => `${wall}（北京时间）`,
  moreInAttachment: (shown, total, filename) => `正文列出前 ${shown} 条，另有 ${total - shown} 条见附件 ${filename}（共 ${total} 条）。`,
  footer: '本邮件由 edumon 自动发送。核实处理后，请凭告警编号确认告警；未确认的告警会按设置再次提醒，并在超期后升级。',
  footerWithLinks: '本邮件由 edumon 自动发送。核实处理后，请点击“确认告警”链接登录控制台确认，并注明核实结论；未确认的告警会按设置再次提醒，并在超期后升级。',
  viewAlert: '查看告警',
  ackAlert: '确认告警',
  csvHeader: [
    '告警编号',
    '类别',
    '规则',
    '规则名称',
    '严重程度',
    '学校代码',
    '学校名称',
    '地区代码',
    '地区',
    '期间',
    '对象',
    '结果',
    '观测值',
    '阈值',
    '首次发现（北京时间）',
    '恢复时间（北京时间）',
    '来源记录编号',
    '第几次',
    '今日反复次数',
    '已确认',
    '政策依据',
  ],
  csvLinkHeader: ['查看告警链接', '确认告警链接'],
  yes: '是',
  no: '否',
};

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

const en: Wording = {
  severity: { critical: 'Critical', warning: 'Warning', info: 'Info' },
  kind: { open: 'New', reopen: 'Back again', resolve: 'Resolved', renotify: 'Not acknowledged', escalate: 'Overdue' },
  tag: (label) => `[${label}] `,
  reminderLabel: 'Reminder',
  escalateLabel: 'Escalated',
  resolvedLabel: 'Resolved',
  newAlerts: (region, n, perRule) => `${region}: ${plural(n, 'new alert', 'new alerts')}: ${perRule}`,
  unacknowledged: (region, n) => `${region}: ${plural(n, 'alert', 'alerts')} not acknowledged`,
  escalated: (region, n) => `${region}: ${plural(n, 'alert', 'alerts')} overdue for acknowledgement`,
  resolved: (region, n) => `${region}: ${plural(n, 'alert', 'alerts')} resolved`,
  alsoEscalated: (n) => `${n} overdue`,
  alsoUnacknowledged: (n) => `${n} not acknowledged`,
  alsoResolved: (n) => `${n} resolved`,
  also: (parts) => `; also ${parts.join(', ')}`,
  ruleCount: (title, n) => `${title} ${n}`,
  listSeparator: ', ',
  andMore: ', and more',
  dataQuality: 'Data quality',
  sections: { new: 'New alerts', escalate: 'Escalated: overdue for acknowledgement', renotify: 'Not yet acknowledged', resolve: 'Resolved' },
  heading: (name, count) => `${name} (${count})`,
  greeting: (name) => `${name},`,
  labelled: (label, value) => `${label}: ${value}`,
  withCode: (name, code) => `${name} (${code})`,
  composedAt: 'Composed',
  school: 'School',
  unregisteredSchool: 'School not in the registry',
  region: 'Region',
  period: 'Period',
  subject: 'Subject',
  result: 'Result',
  firstSeen: 'First seen',
  resolvedAt: 'Resolved',
  openFor: (duration) => `Open for ${duration}, not acknowledged`,
  duration: (d, h, m) => (d > 0 ? `${plural(d, 'day', 'days')} ${plural(h, 'hour', 'hours')}` : h > 0 ? `${plural(h, 'hour', 'hours')} ${m} min` : `${m} min`),
  policy: 'Policy',
  sameAsAbove: 'As above',
  eventId: 'Source record event_id',
  occurrence: (n) => `Occurrence ${n}`,
  flap: (n) => `reopened ${plural(n, 'time', 'times')} today`,
  acknowledged: 'Acknowledged',
  alertId: 'Alert ID',
  time: (wall) => `${wall} (Beijing time)`,
  moreInAttachment: (shown, total, filename) =>
    `This email lists the first ${shown}; ${total - shown} more are in the attachment ${filename} (${total} in all).`,
  footer:
    'Sent automatically by edumon. Once you have checked and acted, acknowledge the alert by its ID; unacknowledged alerts are mailed again as configured, and escalated when overdue.',
  footerWithLinks:
    "Sent automatically by edumon. Once you have checked and acted, follow the alert's Acknowledge link, sign in to the console and acknowledge it with what you found; unacknowledged alerts are mailed again as configured, and escalated when overdue.",
  viewAlert: 'View alert',
  ackAlert: 'Acknowledge',
  csvHeader: [
    'alert_id',
    'kind',
    'rule',
    'rule_title',
    'severity',
    'school_code',
    'school_name',
    'region_code',
    'region',
    'period',
    'subject',
    'result',
    'observed',
    'threshold',
    'first_seen (Beijing time)',
    'resolved_at (Beijing time)',
    'source event_id',
    'occurrence',
    'reopens_today',
    'acknowledged',
    'policy',
  ],
  csvLinkHeader: ['view_link', 'ack_link'],
  yes: 'yes',
  no: 'no',
};

/** The wording of a language; anything but 'en' is Chinese (the default). */
export function wordingFor(language: string | undefined): Wording {
  return language === 'en' ? en : zh;
}

/**
 * Every fixed word of the weekly digest (email, plain text and workbook), Chinese first, English
 * beside it, so a translation is checked against its original. Values from producers (rejection
 * reasons, rule errors, school codes) are never in here.
 */

import { feedLabels } from '../../domain/topics.ts';

/** The feeds' names in one language, by key (domain/topics.ts: one list for the digest and the alerts). */
const feedNames = (language: 'zh' | 'en') => Object.fromEntries(Object.entries(feedLabels).map(([k, v]) => [k, v[language]]));

/** `58.3%`: one decimal, rounded down (the epsilon absorbs floating-point error just under a whole tenth of a percent). */
const percentDown = (share: number) => `${(Math.floor(share * 1000 + 1e-9) / 10).toFixed(1)}%`;

/** The words of one language; functions put counts and values where each language wants them. */
export interface DigestWording {
  /** `焦作市教育监测周报 2025-W27（6月30日—7月6日）`. */
  title: (region: string, week: string, range: string) => string;
  /** The week's dates: `6月30日—7月6日` (with the years when they differ from each other). */
  range: (from: { y: number; m: number; d: number }, to: { y: number; m: number; d: number }) => string;
  /** `【周报】焦作市 2025-W27 指标：3 项未达标，2 项变差`. */
  subject: (region: string, week: string, missed: number, worse: number) => string;
  asOf: string;
  composedAt: string;
  labelled: (label: string, value: string) => string;
  time: (wall: string) => string;
  sections: { quality: string; worse: string; figures: string; alerts: string; judged: string };
  heading: (name: string, count: number | null) => string;
  qualityOk: string;
  qualityWarn: string;
  staleFeed: (feed: string, behind: string) => string;
  feeds: Record<string, string>;
  /** A name with its code: `工资社保发放（payroll）`. */
  withCode: (name: string, code: string) => string;
  units: Record<string, string>;
  failedRule: (rule: string, error: string) => string;
  moreFailedRules: (n: number) => string;
  rejections: (total: number) => string;
  rejection: (reason: string, count: number) => string;
  unknownSchools: (n: number) => string;
  /** One unknown school in the list after unknownSchools: its code and the day an event first named it. */
  unknownSchool: (code: string, firstSeen: string) => string;
  /** More unknown schools than the body lists: `另有 3 所`. */
  moreUnknownSchools: (n: number) => string;
  /** The rejection reasons past the body's limit: `其他 3 种原因 12 条`. */
  otherReasons: (kinds: number, count: number) => string;
  /** Rows past the body's limit: `另有 12 行未列出，见附件 ….xlsx。`. */
  moreRows: (n: number, filename: string) => string;
  noneWorse: string;
  newShortfall: string;
  gotWorse: string;
  cols: { region: string; figure: string; value: string; met: string; change: string; progress: string; trend: string; why: string };
  target: (op: '≥' | '≤' | '=', value: string) => string;
  noTarget: string;
  met: string;
  missed: string;
  noData: string;
  same: string;
  points: string;
  yuan: (amount: string) => string;
  trendNote: (from: string, to: string) => string;
  trendCityOnly: string;
  /** The plain text's note on its trend column (a terminal sparkline, no target line). */
  trendNoteText: (from: string, to: string) => string;
  /** A figure's heading in the plain text: `学前三年毛入园率（目标 ≥ 97.0%）`. */
  withTarget: (name: string, target: string) => string;
  /** A list's heading in the plain text: `反复出现的告警：`. */
  listHeading: (name: string) => string;
  barNote: string;
  /** The period a figure judged per year covers: `2025年按已结束季度折算（第1—3季度）`, `2025年度全年`. */
  period: (fiscalYear: number, quarters: number) => string;
  /** The footnote on what each figure counts: `统计范围：欠薪教职工：……；……。`. */
  coversNote: (items: ReadonlyArray<{ figure: string; covers: string }>) => string;
  alertsSummary: (opened: number, resolved: number, stillOpen: number) => string;
  alertCols: { rule: string; region: string; opened: string; resolved: string; stillOpen: string };
  noAlerts: string;
  /** What the alert table counts: event time, the week judged at its start and end. */
  alertsByEventTime: string;
  /** The clock's part of the alerts section: its heading, what it counts, a summary, one line, or none. */
  detected: string;
  detectedNote: string;
  detectedSummary: (n: number) => string;
  detectedLine: (rule: string, region: string, n: number) => string;
  noneDetected: string;
  noRegion: string;
  flaps: string;
  flap: (alertId: string, rule: string, region: string, reopens: number) => string;
  oldest: string;
  oldestCols: { alertId: string; rule: string; region: string; school: string; openedAt: string; age: string };
  /** A listed alert's links (alerts/notify/alertLinks.ts): its console page, and the signed acknowledge link. */
  viewAlert: string;
  ackAlert: string;
  days: (n: number) => string;
  /** The rules officials judged often wrong (the city's digest alone): what is counted over how many days, against which floor (`70%`) and minimum. */
  judgedNote: (days: number, floor: string, minimum: number) => string;
  judgedCols: { rule: string; judged: string; precision: string; dataWrong: string; falseAlarm: string };
  /** No rule fell below the floor: the section's one line. */
  noneJudged: (days: number, floor: string, minimum: number) => string;
  /** A share (0 to 1) as a percent with one decimal, rounded down: a precision below the floor never reads as the floor. */
  percent: (share: number) => string;
  attachment: (filename: string) => string;
  footer: string;
  listSeparator: string;
  /** The workbook's names and headers. */
  xlsx: {
    filename: (region: string, week: string) => string;
    figuresSheet: string;
    alertsSheet: string;
    regionCode: string;
    region: string;
    figure: string;
    unit: string;
    unitNames: Record<'%' | 'count' | 'yuan' | 'ratio', string>;
    value: string;
    target: string;
    met: string;
    previous: string;
    change: string;
    worse: string;
    /** The column of the period a figure judged per year covers (DigestWording.period). */
    basis: string;
    kind: string;
    rule: string;
    count: string;
    detail: string;
    opened: string;
    resolved: string;
    stillOpen: string;
    flap: string;
    unacked: string;
    /** An alert the system opened during the week (by the clock, not event time). */
    detected: string;
    /** A rule officials judged often wrong (the city's digest), and its row's detail: precision and each outcome's count. */
    judged: string;
    judgedDetail: (precision: string, confirmed: number, fixed: number, dataWrong: number, falseAlarm: number) => string;
    yes: string;
    no: string;
  };
}

const zh: DigestWording = {
  title: (region, week, range) => `${region}教育监测周报 ${week}（${range}）`,
  range: (a, b) => (a.y === b.y ? `${a.m}月${a.d}日—${b.m}月${b.d}日` : `${a.y}年${a.m}月${a.d}日—${b.y}年${b.m}月${b.d}日`),
  subject: (region, week, missed, worse) => `【周报】${region} ${week} 指标：${missed} 项未达标，${worse} 项变差`,
  asOf: '数据截至',
  composedAt: '生成时间',
  labelled: (label, value) => `${label}：${value}`,
  time: (wall) => `${wall}（北京时间）`,
  sections: { quality: '数据质量', worse: '本周变差', figures: '指标一览', alerts: '本周告警', judged: '研判准确率偏低的规则' },
  heading: (name, count) => (count === null ? name : `${name}（${count}）`),
  qualityOk: '✓ 本周数据完整：各数据源按时更新，规则全部运行成功，没有拒收的消息，没有未登记的学校。',
  qualityWarn: '⚠ 本周数据有以下问题，相关指标可能不完整，请结合核实：',
  staleFeed: (feed, behind) => `数据源中断：${feed}，已落后 ${behind}`,
  feeds: feedNames('zh'),
  withCode: (name, code) => `${name}（${code}）`,
  units: { days: '天', hours: '小时', minutes: '分钟' },
  failedRule: (rule, error) => `规则运行失败：${rule}（${error}）`,
  moreFailedRules: (n) => `另有 ${n} 条规则运行失败`,
  rejections: (total) => `本周收到并拒收的消息 ${total} 条（按接收时间计：拒收的消息读不出事件时间）：`,
  rejection: (reason, count) => `${reason} ${count} 条`,
  unknownSchools: (n) => `未登记的学校 ${n} 所（截至周末，事件中出现、学校名录中没有；其在园在校人数未计入各地区指标）`,
  unknownSchool: (code, firstSeen) => `${code}（${firstSeen} 首次出现）`,
  moreUnknownSchools: (n) => `另有 ${n} 所`,
  otherReasons: (kinds, count) => `其他 ${kinds} 种原因 ${count} 条`,
  moreRows: (n, f) => `另有 ${n} 行未列出，见附件 ${f}。`,
  noneWorse: '本周没有变差的指标。',
  newShortfall: '新近未达标',
  gotWorse: '变差',
  cols: { region: '地区', figure: '指标', value: '本周', met: '达标', change: '较上周', progress: '完成度', trend: '近8周', why: '说明' },
  target: (op, value) => `目标 ${op} ${value}`,
  noTarget: '无目标',
  met: '✓ 达标',
  missed: '✗ 未达标',
  noData: '无数据',
  same: '→ 持平',
  points: ' 个百分点',
  yuan: (amount) => `${amount} 元`,
  trendNote: (from, to) => `近8周趋势为 ${from} 至 ${to} 每周末的数值，虚线为目标，圆点为本周。`,
  trendNoteText: (from, to) => `每行末尾是 ${from} 至 ${to} 每周末数值的走势（空格为缺数据的一周）。`,
  withTarget: (name, target) => `${name}（${target}）`,
  listHeading: (name) => `${name}：`,
  trendCityOnly: '为控制邮件大小，趋势图只画全市一行；各地区的趋势数值见附件。',
  barNote: '完成度条：达标即满格；未达标时，“≥”目标为数值与目标之比，“≤”目标为目标与数值之比，目标为 0 的指标按各地区中最大值的比例显示。',
  period: (y, q) => (q >= 4 ? `按${y}年度全年计` : `按已结束季度折算：${y}年第${q === 1 ? '1' : `1—${q}`}季度`),
  coversNote: (items) => `统计范围：${items.map((i) => `${i.figure}，${i.covers}`).join('；')}。`,
  alertsSummary: (o, r, s) => `本周新增 ${o} 条，恢复 ${r} 条，周末仍未恢复 ${s} 条。`,
  alertCols: { rule: '规则', region: '地区', opened: '新增', resolved: '恢复', stillOpen: '未恢复' },
  noAlerts: '本周没有告警。',
  alertsByEventTime: '按事件发生时间统计：以周初和周末两个时刻各按全部规则判定一次并比较；数据何时入库不影响这些数字。',
  detected: '系统本周发现的告警（按系统处理时间）',
  detectedNote: '以下按系统打开告警的时刻统计：补录、迟到的数据或停机后的追赶会使它与上表不同。',
  detectedSummary: (n) => `本周系统首次发现或重新打开告警 ${n} 条：`,
  detectedLine: (rule, region, n) => `${rule}，${region}：${n} 条`,
  noneDetected: '本周系统没有打开新的告警。',
  noRegion: '（数据质量）',
  flaps: '反复出现的告警',
  flap: (id, rule, region, n) => `${id} ${rule} ${region}：本周重新打开 ${n} 次`,
  oldest: '最久未确认的告警',
  oldestCols: { alertId: '告警编号', rule: '规则', region: '地区', school: '学校代码', openedAt: '首次发现', age: '已持续' },
  viewAlert: '查看告警',
  ackAlert: '确认告警',
  days: (n) => `${n} 天`,
  judgedNote: (days, floor, min) =>
    `近 ${days} 天（截至周末）系统打开的告警，按各地确认时的研判结论计：准确率 =（确认违规 + 已整改）÷ 已研判条数。列出已研判不少于 ${min} 条、准确率低于 ${floor} 的规则，请数据组复核。`,
  judgedCols: { rule: '规则', judged: '已研判', precision: '准确率', dataWrong: '数据有误', falseAlarm: '误报' },
  noneJudged: (days, floor, min) => `近 ${days} 天没有准确率低于 ${floor} 的规则（已研判不少于 ${min} 条的规则中）。`,
  percent: percentDown,
  attachment: (f) => `全部指标（各地区、近8周数值）和本周告警见附件 ${f}，可用 Excel 或 WPS 打开。`,
  footer: '本邮件由 edumon 每周自动生成。数值截至上述时间；如发现与实际不符，请联系数据组核实。',
  listSeparator: '；',
  xlsx: {
    filename: (region, week) => `${region}教育监测周报-${week}.xlsx`,
    figuresSheet: '指标',
    alertsSheet: '本周告警',
    regionCode: '地区代码',
    region: '地区',
    figure: '指标',
    unit: '单位',
    unitNames: { '%': '%', count: '数量', yuan: '元', ratio: '幼儿数/专任教师' },
    value: '本周',
    target: '目标',
    met: '达标',
    previous: '上周',
    change: '变化',
    worse: '本周变差',
    basis: '口径',
    kind: '类别',
    rule: '规则',
    count: '条数',
    detail: '说明',
    opened: '新增',
    resolved: '恢复',
    stillOpen: '未恢复',
    flap: '反复出现',
    unacked: '未确认',
    detected: '系统本周打开（按处理时间）',
    judged: '研判准确率偏低',
    judgedDetail: (p, c, f, d, a) => `准确率 ${p}：确认违规 ${c}，已整改 ${f}，数据有误 ${d}，误报 ${a}`,
    yes: '是',
    no: '否',
  },
};

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

const en: DigestWording = {
  title: (region, week, range) => `${region} education indicators, ${week} (${range})`,
  range: (a, b) =>
    a.y === b.y ? `${a.d} ${MONTHS[a.m - 1]} – ${b.d} ${MONTHS[b.m - 1]}` : `${a.d} ${MONTHS[a.m - 1]} ${a.y} – ${b.d} ${MONTHS[b.m - 1]} ${b.y}`,
  subject: (region, week, missed, worse) => `[Weekly] ${region} ${week} indicators: ${missed} below target, ${worse} worse`,
  asOf: 'Figures as of',
  composedAt: 'Composed',
  labelled: (label, value) => `${label}: ${value}`,
  time: (wall) => `${wall} (Beijing time)`,
  sections: {
    quality: 'Data quality',
    worse: 'Worse this week',
    figures: 'Indicators',
    alerts: 'Alerts this week',
    judged: 'Rules officials judged often wrong',
  },
  heading: (name, count) => (count === null ? name : `${name} (${count})`),
  qualityOk: '✓ This week’s data is complete: every feed was on time, every rule ran, no message was rejected, no unknown school.',
  qualityWarn: '⚠ This week’s data has these problems; the figures they feed may be incomplete:',
  staleFeed: (feed, behind) => `Feed stopped: ${feed}, ${behind} behind`,
  feeds: feedNames('en'),
  withCode: (name, code) => `${name} (${code})`,
  units: { days: 'days', hours: 'hours', minutes: 'minutes' },
  failedRule: (rule, error) => `Rule failed: ${rule} (${error})`,
  moreFailedRules: (n) => `${plural(n, 'more rule', 'more rules')} failed`,
  rejections: (total) =>
    `${plural(total, 'message', 'messages')} received and rejected this week (by arrival: a rejected message’s event time cannot be read): `,
  rejection: (reason, count) => `${reason} ${count}`,
  unknownSchools: (n) =>
    `${plural(n, 'school', 'schools')} named in events by the week’s end but not in the registry (their children and staff are in no region’s figures)`,
  unknownSchool: (code, firstSeen) => `${code} (first named ${firstSeen})`,
  moreUnknownSchools: (n) => `${n} more`,
  otherReasons: (kinds, count) => `${plural(kinds, 'other reason', 'other reasons')} ${count}`,
  moreRows: (n, f) => `${plural(n, 'more row is', 'more rows are')} in the attachment ${f}.`,
  noneWorse: 'No figure got worse this week.',
  newShortfall: 'newly below target',
  gotWorse: 'worse',
  cols: {
    region: 'Region',
    figure: 'Indicator',
    value: 'This week',
    met: 'Target',
    change: 'vs last week',
    progress: 'Progress',
    trend: '8 weeks',
    why: 'Why',
  },
  target: (op, value) => `target ${op} ${value}`,
  noTarget: 'no target',
  met: '✓ met',
  missed: '✗ missed',
  noData: 'no data',
  same: '→ same',
  points: ' pts',
  yuan: (amount) => `¥${amount}`,
  trendNote: (from, to) => `The 8-week trend shows each week’s value from ${from} to ${to}; the dashed line is the target, the dot this week.`,
  trendNoteText: (from, to) => `Each line ends with the weekly values from ${from} to ${to} as a sparkline (a space is a week without data).`,
  withTarget: (name, target) => `${name} (${target})`,
  listHeading: (name) => `${name}:`,
  trendCityOnly: 'To keep the email small, trends are drawn for the city only; every region’s weekly values are in the attachment.',
  barNote:
    'Progress bar: full when the target is met; when missed, value over target for a “≥” target, target over value for a “≤” target, and for a target of 0 relative to the largest value of any region.',
  period: (y, q) => (q >= 4 ? `whole fiscal year ${y}` : `pro rata to the quarters ended: ${y} Q1${q > 1 ? `–Q${q}` : ''}`),
  coversNote: (items) => `What each figure counts: ${items.map((i) => `${i.figure}: ${i.covers}`).join('; ')}.`,
  alertsSummary: (o, r, s) => `${o} opened, ${r} resolved, ${s} still open at the week’s end.`,
  alertCols: { rule: 'Rule', region: 'Region', opened: 'Opened', resolved: 'Resolved', stillOpen: 'Open' },
  noAlerts: 'No alerts this week.',
  alertsByEventTime:
    'By event time: every rule judged as of the week’s start and as of its end, and the two compared; when the data was loaded changes none of these numbers.',
  detected: 'Alerts the system detected this week (by processing time)',
  detectedNote: 'Counted by when the system opened each alert: a backfill, late data or a catch-up after downtime makes this differ from the table above.',
  detectedSummary: (n) => `${plural(n, 'alert', 'alerts')} first detected or reopened by the system this week:`,
  detectedLine: (rule, region, n) => `${rule}, ${region}: ${n}`,
  noneDetected: 'The system opened no new alert this week.',
  noRegion: '(data quality)',
  flaps: 'Flapping alerts',
  flap: (id, rule, region, n) => `${id} ${rule} ${region}: reopened ${plural(n, 'time', 'times')} this week`,
  oldest: 'Oldest unacknowledged alerts',
  oldestCols: { alertId: 'Alert ID', rule: 'Rule', region: 'Region', school: 'School', openedAt: 'First seen', age: 'Open for' },
  viewAlert: 'View alert',
  ackAlert: 'Acknowledge',
  days: (n) => plural(n, 'day', 'days'),
  judgedNote: (days, floor, min) =>
    `Alerts the system opened in the last ${days} days (to the week’s end), as the officials who acknowledged them judged them: precision = (confirmed + fixed) ÷ judged. Listed: rules with at least ${min} judged and precision below ${floor}, for the data team to review.`,
  judgedCols: { rule: 'Rule', judged: 'Judged', precision: 'Precision', dataWrong: 'Data wrong', falseAlarm: 'False alarm' },
  noneJudged: (days, floor, min) => `No rule with at least ${min} judged alerts in the last ${days} days had precision below ${floor}.`,
  percent: percentDown,
  attachment: (f) => `Every figure (all regions, 8 weekly values) and this week’s alerts are in the attachment ${f} (Excel or WPS).`,
  footer: 'Composed weekly by edumon. If a figure does not match what you know, please ask the data team.',
  listSeparator: '; ',
  xlsx: {
    filename: (region, week) => `${region} indicators ${week}.xlsx`,
    figuresSheet: 'Indicators',
    alertsSheet: 'Alerts',
    regionCode: 'Region code',
    region: 'Region',
    figure: 'Indicator',
    unit: 'Unit',
    unitNames: { '%': '%', count: 'count', yuan: 'yuan', ratio: 'children per teacher' },
    value: 'This week',
    target: 'Target',
    met: 'Met',
    previous: 'Last week',
    change: 'Change',
    worse: 'Worse this week',
    basis: 'Basis',
    kind: 'Kind',
    rule: 'Rule',
    count: 'Count',
    detail: 'Detail',
    opened: 'opened',
    resolved: 'resolved',
    stillOpen: 'still open',
    flap: 'flapping',
    unacked: 'unacknowledged',
    detected: 'opened by the system this week (processing time)',
    judged: 'judged often wrong',
    judgedDetail: (p, c, f, d, a) => `precision ${p}: ${c} confirmed, ${f} fixed, ${d} data wrong, ${a} false alarm${a === 1 ? '' : 's'}`,
    yes: 'yes',
    no: 'no',
  },
};

/** The digest's wording in `language`; anything but 'en' is Chinese. */
export function digestWordingFor(language: string | undefined): DigestWording {
  return language === 'en' ? en : zh;
}

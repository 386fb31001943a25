/**
 * `edumon notify`: alert email, seen from the command line. Each sub-command is one entry of
 * `subcommands` (its usage, summary and run), so list, preview and test slot in beside check;
 * options are shared, each saying which sub-command reads it.
 */
import { writeFileSync } from 'node:fs';
import { type CheckedRecipient, type NotifyCheck, notifyCheck, type SeverityRouting } from '../../alerts/notify/notifyCheck.ts';
import { previewEmail } from '../../alerts/notify/preview.ts';
import { type SendingCheck, sendingCheck } from '../../alerts/notify/sendingCheck.ts';
import type { Command, CommandContext } from '../../core/cli.ts';
import { UsageError } from '../../core/errors.ts';
import { formatShanghai, timeOption } from '../../core/shanghai.ts';
import { visibleText } from '../../core/text.ts';
import { serviceOrWarehouse } from '../../service/serviceOrWarehouse.ts';
import { listSummary, notifyList, notifyOutboxOptions, notifyRetry, notifyTest, retrySummary, testSummary } from './notifyOutbox.ts';

/** One sub-command: what `edumon notify NAME ARGS...` does, returning the exit status. */
interface NotifySubcommand {
  usage: string;
  summary: string;
  run(ctx: CommandContext, args: string[]): Promise<number>;
}

const subcommands: Record<string, NotifySubcommand> = {
  list: {
    usage: 'notify list [--state pending|sent|failed|unknown|held] [--alerts] [--json]',
    summary: listSummary,
    run: (ctx) => notifyList(ctx),
  },
  retry: {
    usage: 'notify retry [--state failed|held] [--contact ID] [--id OUTBOX_ID]',
    summary: retrySummary,
    run: (ctx) => notifyRetry(ctx),
  },
  preview: {
    usage: 'notify preview --alert ID [--contact ID] [--out FILE]',
    summary:
      'preview: renders the email alert ID makes, as the outbox would hold it, for --contact (default: the first\n' +
      'contact it reaches), into FILE (default alert-ID.html; the plain text beside it as .txt); prints the subject.\n' +
      'Sends and writes nothing else. Through `edumon run` while it is up.',
    async run(ctx, args) {
      if (args.length > 0) throw new UsageError(`notify preview: takes no arguments (got '${args.join(' ')}')`);
      const alert = ctx.values.alert;
      if (typeof alert !== 'string' || !alert) throw new UsageError('notify preview: give --alert ID (edumon alerts list shows the ids)');
      const contact = typeof ctx.values.contact === 'string' ? ctx.values.contact : undefined;
      const config = ctx.config();
      const at = new Date();
      const body = { alert, at: at.toISOString(), ...(contact ? { contact } : {}) };
      const p = await serviceOrWarehouse(config.warehouse, { path: '/notify/preview', body }, { write: false }, (conn) =>
        previewEmail(conn, config, alert, at, contact),
      );
      const out = typeof ctx.values.out === 'string' ? ctx.values.out : `alert-${alert}.html`;
      writeFileSync(out, p.html, { mode: 0o600 });
      const text = `${out.replace(/\.html?$/i, '')}.txt`;
      writeFileSync(text, p.text, { mode: 0o600 });
      ctx.out(visibleText(`主题 subject: ${p.subject}`));
      ctx.out(visibleText(`收件人 to: ${p.contactId} <${p.address}>${p.routed ? '' : '（此告警不发给该联系人 not routed to this contact）'}`));
      ctx.out(`已写入 written: ${out}, ${text}${p.attachments.length ? ` (attachments not written: ${p.attachments.map((a) => a.filename).join(', ')})` : ''}`);
      return 0;
    },
  },
  test: {
    usage: 'notify test --to ADDRESS',
    summary: testSummary,
    run: (ctx) => notifyTest(ctx),
  },
  check: {
    usage: 'notify check [--at TIME] [--json]',
    summary:
      'check: who an alert would reach, per region (the city first) and severity, the data team for DQ-* alerts,\n' +
      'the escalation contacts, the mute settings with the next three official holidays and whether notices\n' +
      'are held now (or at --at TIME), whether the holiday calendar covers the next 60 days (else the first\n' +
      'uncovered day and the key to fill, notify.calendarOverrides), and the sending side: the From against the\n' +
      "login (QQ, 163, 126, exmail.qq, aliyun refuse any other), TLS, and the server's answer to EHLO and the\n" +
      'login, without sending. Exit 2 listing every problem of the configuration, 1 when the sending side has a\n' +
      'problem.',
    async run(ctx, args) {
      if (args.length > 0) throw new UsageError(`notify check: takes no arguments (got '${args.join(' ')}')`);
      const at = typeof ctx.values.at === 'string' ? timeOption('notify check: --at', ctx.values.at).getTime() : Date.now();
      const { notify } = ctx.config();
      const report = { ...notifyCheck(notify, at), sending: await sendingCheck(notify) };
      ctx.outLines(ctx.values.json ? [visibleText(JSON.stringify(report))] : [...checkLines(report), ...sendingLines(report.sending)]);
      return report.sending.problems.length > 0 ? 1 : 0;
    },
  },
};

export const notifyCmd: Command = {
  name: 'notify',
  summary: 'Alert email: the outbox, a preview, a test email, and who receives what',
  usage: Object.values(subcommands)
    .map((s) => s.usage)
    .join(' |\n       '),
  description: Object.values(subcommands)
    .map((s) => s.summary)
    .join('\n'),
  options: {
    ...notifyOutboxOptions,
    alert: { type: 'string', value: 'ID', help: 'preview: the alert whose email to render' },
    contact: { type: 'string', value: 'ID', help: "preview: render it for this contact (default: the first it reaches); retry: only this contact's emails" },
    out: { type: 'string', value: 'FILE', help: 'preview: where the HTML goes (default alert-ID.html)' },
    at: { type: 'string', value: 'TIME', help: 'check: as of this moment (Asia/Shanghai unless an offset is given; default: now)' },
    json: { type: 'boolean', help: 'check, list: JSON instead of the report or table' },
  },
  async run(ctx) {
    const [name, ...args] = ctx.positionals;
    const sub = name === undefined ? undefined : subcommands[name];
    if (!sub) {
      const names = Object.keys(subcommands).map((n) => `'${n}'`);
      throw new UsageError(`notify: expected ${names.join(', ')} (see edumon notify --help)`);
    }
    return sub.run(ctx, args);
  },
};

const SEVERITY_ZH: Record<string, string> = { critical: '严重', warning: '警告', info: '提示' };

/** A contact on one line: id, name, address, language and the list it was found under. Config text is escaped: it reaches a terminal. */
function contactLine(r: CheckedRecipient): string {
  const scope = r.scopeName === null ? '' : `（${r.scopeName}）`;
  return visibleText(`${r.id}  ${r.name} <${r.email}>  ${r.language}  ${scope}`.trimEnd());
}

function* severityLines(routing: readonly SeverityRouting[], escalateAfterDays: number): Generator<string> {
  for (const s of routing) {
    yield `  ${SEVERITY_ZH[s.severity]} ${s.severity}:`;
    if (s.recipients.length === 0) yield '    （无人接收 nobody）';
    for (const r of s.recipients) yield `    ${contactLine(r)}`;
    if (s.escalation.length > 0) {
      yield `    升级 escalation（${escalateAfterDays} 天未确认 unacknowledged）:`;
      for (const r of s.escalation) yield `      ${contactLine(r)}`;
    }
  }
}

/** The report as text, Chinese first: routing per region, the data team, then the mute settings. */
export function* checkLines(report: NotifyCheck): Generator<string> {
  yield `通知检查 Notification check — ${formatShanghai(report.at)}`;
  yield '';
  yield '按地区与级别的收件人 Recipients by region and severity';
  for (const region of report.regions) {
    yield `${region.name} ${region.code}`;
    yield* severityLines(region.severities, report.escalateAfterDays);
  }
  yield '';
  yield '数据组 Data team（DQ-* 数据健康告警 data-health alerts）';
  yield* severityLines(report.dataTeam, report.escalateAfterDays);
  yield '';
  const m = report.mute;
  yield '静默设置 Mute settings（Asia/Shanghai）';
  yield `  静默时段 windows: ${m.windows.length ? m.windows.map((w) => `${w.from}–${w.to}`).join('、') : '无 none'}`;
  yield `  法定节假日静默 holidays: ${m.holidays ? '开 on' : '关 off'}（周末不静默，调休上班日不静默 weekends and make-up workdays are not muted）`;
  if (m.overrides.length > 0) {
    yield '  日历修正 calendar overrides:';
    for (const o of m.overrides) yield visibleText(`    ${o.date}  ${o.kind === 'holiday' ? '放假 holiday' : '上班 workday'}${o.name ? `  ${o.name}` : ''}`);
  }
  yield '  接下来的节假日 next holidays:';
  if (m.upcoming.length === 0) yield '    （未知 none known）';
  for (const h of m.upcoming) yield visibleText(`    ${h.name}  ${h.from} 至 ${h.to}（${h.days} 天）`);
  const c = m.calendar;
  if (c.gap)
    yield `  注意 note: 节假日日历（${c.source}、${c.configKey}）未覆盖 ${c.gap.firstUncoveredDay} 起的日子（${c.gap.daysAhead} 天后），` +
      `届时除${c.knownWithoutNotice.join('、')}外的节假日不会静默：请在 ${c.configKey} 中按国务院办公厅通知补充该年放假与调休 ` +
      `(the holiday calendar does not cover ${c.gap.firstUncoveredDay} on: fill ${c.configKey} with that year's holidays and make-up workdays)`;
  yield m.now ? visibleText(`  当前 now: 静默至 held until ${formatShanghai(m.now.until)}（${m.now.reason}）`) : '  当前 now: 可发送 notices go out';
}

/** The sending side as text, Chinese first: the server, TLS, EHLO, login, From, then each problem. */
export function* sendingLines(s: SendingCheck): Generator<string> {
  yield '';
  yield '发送端 Sending side';
  yield visibleText(
    `  发件人 from: ${s.from.name ? `${s.from.name} ` : ''}<${s.from.address}>${s.provider ? `（${s.provider}：须与登录账号相同 must be the login）` : ''}`,
  );
  if (!s.server || !s.probe) yield '  服务器 server: 未设置 not set (EDUMON_SMTP_URL)：邮件留在发件箱 emails stay in the outbox';
  else {
    const p = s.probe;
    yield visibleText(`  服务器 server: ${s.server}`);
    yield visibleText(`  EHLO: ${p.ehlo.ok ? '正常 ok' : `失败 failed: ${p.ehlo.reply}`}`);
    if (p.ehlo.ok) {
      yield `  TLS: ${p.tls ? '已加密 encrypted' : '未加密 not encrypted'}`;
      yield `  SMTPUTF8: ${p.smtpUtf8 ? '支持 offered' : '不支持 not offered'}`;
    }
    yield visibleText(
      `  登录 login: ${s.login === null ? '无 none' : p.auth === null ? `${s.login}：未尝试 not tried` : p.auth.ok ? `${s.login}：成功 accepted` : `${s.login}：被拒绝 refused: ${p.auth.reply}`}`,
    );
  }
  if (s.problems.length === 0) yield '  问题 problems: 无 none';
  for (const problem of s.problems) yield visibleText(`  问题 problem: ${problem}`);
  for (const note of s.notes) yield visibleText(`  注意 note: ${note}`);
}

/**
 * The outbox sub-commands of `edumon notify` (bin/commands/notify.ts wires them in):
 * `notify list [--state S] [--alerts] [--json]`, the alert emails and what came of them (or who
 * was told of each alert), `notify retry`, failed or held emails queued again, and
 * `notify test --to ADDRESS`, one test email now through the configured SMTP server.
 */
import { randomUUID } from 'node:crypto';
import { listOutbox, messageIdOf, type OutboxState, outboxStates, type RetryFilter, retryOutbox } from '../../alerts/notify/outbox.ts';
import { sendEmail } from '../../alerts/notify/smtp.ts';
import { listTold } from '../../alerts/notify/toldList.ts';
import type { CommandContext, OptionSpec } from '../../core/cli.ts';
import { EdumonError, UsageError } from '../../core/errors.ts';
import { checkAddress } from '../../core/mailAddress.ts';
import { formatShanghai } from '../../core/shanghai.ts';
import { visibleText } from '../../core/text.ts';
import { serviceOrWarehouse } from '../../service/serviceOrWarehouse.ts';
import { formatLines } from '../formatResult.ts';

/** What `notify list` does, for --help. */
export const listSummary =
  'list: the alert emails of the outbox, newest first: id, created (Asia/Shanghai, +08:00), contact, address,\n' +
  'kind, subject, state (pending; sent: a server accepted it; failed; unknown: no reply to the message, retried\n' +
  'with the same Message-ID; held: no reply too often, waits for notify retry), attempts, the last SMTP code and\n' +
  'reply, and why one not sent waits. With --alerts: for each alert, who was told (a server accepted the email)\n' +
  'and who not, with why. Through `edumon run` while it is up.';

/** What `notify retry` does, for --help. */
export const retrySummary =
  'retry: queues failed and held emails again, with the same Message-ID (--state failed|held, --contact ID,\n' +
  '--id OUTBOX_ID narrow it); prints how many. Through `edumon run` while it is up.';

/** What `notify test` does, for --help. */
export const testSummary =
  'test: sends one test email to ADDRESS now with the configured SMTP server (notify.smtpUrl) and prints\n' + 'its reply; exit 1 when it is not accepted.';

/** The options of the two sub-commands. */
export const notifyOutboxOptions: Record<string, OptionSpec> = {
  state: { type: 'string', value: 'STATE', help: 'list: only emails in this state (pending, sent, failed, unknown, held); retry: failed or held' },
  alerts: { type: 'boolean', help: 'list: who has and has not been told of each alert' },
  id: { type: 'string', value: 'OUTBOX_ID', help: 'retry: only this email' },
  to: { type: 'string', value: 'ADDRESS', help: 'test: the address the test email goes to' },
  json: { type: 'boolean', help: 'list: one JSON object per line' },
};

/** `edumon notify list`: prints the outbox; a state that is none is a usage error. Returns the exit status. */
export async function notifyList(ctx: CommandContext): Promise<number> {
  const state = ctx.values.state;
  if (state !== undefined && !outboxStates.includes(state as OutboxState))
    throw new UsageError(`notify list: --state is one of ${outboxStates.join(', ')}, not '${String(state)}'`);
  const byAlert = ctx.values.alerts === true;
  const body = { ...(state === undefined ? {} : { state: state as OutboxState }), ...(byAlert ? { alerts: true } : {}) };
  const config = ctx.config();
  const answer = await serviceOrWarehouse(config.warehouse, { path: '/notify/list', body }, { write: false }, (conn) =>
    byAlert ? listTold(conn, config.notify, new Date()) : listOutbox(conn, body.state),
  );
  ctx.outLines(formatLines(answer, ctx.values.json ? 'json' : 'table'));
  return 0;
}

/** `edumon notify retry`: queues failed or held emails again (through the service while it runs); prints how many. Returns the exit status. */
export async function notifyRetry(ctx: CommandContext): Promise<number> {
  const { state, contact, id } = ctx.values;
  if (state !== undefined && state !== 'failed' && state !== 'held') throw new UsageError(`notify retry: --state is failed or held, not '${String(state)}'`);
  const filter: RetryFilter = {
    ...(state ? { state } : {}),
    ...(typeof contact === 'string' ? { contact } : {}),
    ...(typeof id === 'string' ? { id } : {}),
  };
  const config = ctx.config();
  const { queued } = await serviceOrWarehouse(config.warehouse, { path: '/notify/retry', body: filter }, { write: true }, async (conn) => ({
    queued: await retryOutbox(conn, filter, new Date()),
  }));
  ctx.out(`已重新排队 queued again: ${queued.length} 封邮件 email(s)${queued.length ? `: ${queued.join(', ')}` : ''}`);
  return 0;
}

/** The test email: Chinese first, saying when it was sent (Asia/Shanghai) and that nothing is to be done. */
export function testEmail(at: Date): { subject: string; text: string; html: string } {
  const when = formatShanghai(at);
  const text =
    '这是焦作市教育监测系统（edumon）的测试邮件，无需处理。\n' +
    `发送时间：${when}（北京时间）\n` +
    '收到本邮件，说明告警邮件可以送达此邮箱。\n\n' +
    'This is a test email from edumon, the Jiaozuo education monitor; nothing to do.\n' +
    `Sent ${when}. Receiving it means alert emails reach this mailbox.\n`;
  const html =
    '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>测试邮件</title></head><body>' +
    '<p>这是焦作市教育监测系统（edumon）的测试邮件，无需处理。</p>' +
    `<p>发送时间：${when}（北京时间）</p><p>收到本邮件，说明告警邮件可以送达此邮箱。</p>` +
    `<p lang="en">This is a test email from edumon, the Jiaozuo education monitor; nothing to do. Sent ${when}.</p>` +
    '</body></html>';
  return { subject: '【测试】焦作市教育监测告警邮件 / edumon test email', text, html };
}

/**
 * `edumon notify test --to ADDRESS`: sends the test email once (no outbox, no retry) and prints
 * the server's reply; a reply other than acceptance, or no reply, is an error (exit 1). Returns the exit status.
 */
export async function notifyTest(ctx: CommandContext): Promise<number> {
  if (typeof ctx.values.to !== 'string') throw new UsageError('notify test: give --to ADDRESS, an email address');
  const checked = checkAddress(ctx.values.to);
  if (!checked.ok) throw new UsageError(`notify test: --to is not an email address: ${checked.reason}`);
  const to = checked.address;
  const { notify } = ctx.config();
  if (!notify.smtpUrl) throw new EdumonError('notify test: no SMTP server configured (notify.smtpUrl, EDUMON_SMTP_URL)');
  const at = new Date();
  const id = `test-${randomUUID()}`;
  const email = testEmail(at);
  const r = await sendEmail(notify, {
    id,
    messageId: messageIdOf(id, notify.messageIdDomain),
    address: to,
    ...email,
    attachments: [],
    createdAt: at.toISOString(),
  });
  const reply = visibleText(r.reply);
  if (r.outcome !== 'sent') {
    const why = r.outcome === 'unknown' ? 'no reply after the message was sent: it may or may not arrive' : 'not accepted';
    throw new EdumonError(`测试邮件发送失败 / the test email to ${to} failed (${why}): ${reply}`);
  }
  ctx.out(`测试邮件已发送 / test email accepted for ${to}: ${reply}`);
  return 0;
}

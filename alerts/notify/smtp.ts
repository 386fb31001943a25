/**
 * The SMTP stage: one outbox row, one message, one envelope recipient, one attempt. nodemailer
 * without a pool and without retries of its own (the outbox retries, with the same Message-ID,
 * and records every attempt); what came of the attempt is decided by classifySend, a pure
 * function of what nodemailer reported.
 */
import nodemailer from 'nodemailer';
import type { Config } from '../../core/config.ts';
import { messageOf } from '../../core/errors.ts';
import { localPartNeedsSmtpUtf8, parseMailbox } from '../../core/mailAddress.ts';
import type { OutboxRow, Outcome } from './outbox.ts';
import { probeSmtp } from './smtpProbe.ts';
import { tlsRefusal, tlsRequired } from './smtpTls.ts';

/** The notify settings the SMTP stage reads. */
export type SmtpSettings = Pick<
  Config['notify'],
  'smtpUrl' | 'smtpUser' | 'smtpPass' | 'smtpRequireTls' | 'smtpAllowInsecureAuth' | 'smtpVerifyCertificate' | 'smtpTimeoutMs' | 'smtpDataTimeoutMs' | 'from'
>;

/**
 * How far an attempt got: `connect` (no greeting: the server is down or unreachable, nothing else
 * can get through either), `envelope` (greeted, the message data not all sent: what the server
 * said is about this message or its recipient domain), `data` (the message data sent, final dot
 * included).
 */
export type SendStage = 'connect' | 'envelope' | 'data';

/** What one attempt came to, and the server's words (or the transport error) for the record. */
export interface SendResult {
  outcome: Outcome;
  /** The SMTP reply code; null when there was no reply (a transport error, a timeout). */
  code: number | null;
  reply: string;
  /** How far it got (sendEmail; absent from classifySend alone). */
  stage?: SendStage;
}

/** What classifySend reads of a nodemailer error (NodemailerError: code, command, response, responseCode). */
export interface SmtpErrorLike {
  message?: string;
  code?: string;
  command?: string;
  response?: string;
  responseCode?: number;
}

/** Longest reply kept in the outbox (a server may answer with a page of text). */
const MAX_REPLY = 1000;

const replyCodeOf = (response: string | undefined): number | null => {
  const m = /^(\d{3})/.exec(response ?? '');
  return m ? Number(m[1]) : null;
};

/**
 * What an attempt came to. `err` null: accepted (`sent`, with the reply to the final dot).
 * A reply of 5xx, a rejected recipient included, is `failed`: the same message would be refused
 * again. Except 503 (bad sequence of commands: the session's state, not the message, as
 * nodemailer's isPermanentResponseCode says) and a refused login (EAUTH: the configured
 * credentials, not this email; failing every email for it would lose them all), which are `retry`,
 * as is any 4xx reply, and a failed STARTTLS (ETLS: the server's TLS, not this email; the reply
 * refused by the server then says which setting asked for TLS, `tlsReason`). Without a reply: `retry` if the message data had not all gone out (nothing
 * can have been delivered), `unknown` if it had (`dataSent`): nodemailer reports a lost reply to
 * the final dot as a socket timeout or close with command 'CONN', the same as one before it,
 * so the stage comes from the caller (sendEmail watches the data stream end).
 */
export function classifySend(err: SmtpErrorLike | null, dataSent: boolean, response?: string, tlsReason?: string): SendResult {
  if (!err) return { outcome: 'sent', code: replyCodeOf(response), reply: (response ?? '').slice(0, MAX_REPLY) };
  const code = typeof err.responseCode === 'number' ? err.responseCode : replyCodeOf(err.response);
  const reply = (err.response ?? [err.code, err.message].filter(Boolean).join(': ')).slice(0, MAX_REPLY);
  if (err.code === 'ETLS') {
    // A STARTTLS the server answered with a refusal: it offers none (nodemailer sends one anyway when TLS is required).
    const refused = tlsReason !== undefined && err.command === 'STARTTLS' && code !== null;
    return { outcome: 'retry', code, reply: (refused ? `${tlsReason} (${reply})` : reply).slice(0, MAX_REPLY) };
  }
  if (code !== null) {
    const permanent = code >= 500 && code !== 503 && err.code !== 'EAUTH';
    return { outcome: permanent ? 'failed' : 'retry', code, reply };
  }
  return { outcome: dataSent ? 'unknown' : 'retry', code: null, reply };
}

/**
 * The nodemailer transport options of the settings: the URL (smtps:// is TLS from the start,
 * smtp:// upgrades with STARTTLS when offered, and must when tlsRequired: a login is never sent in
 * clear unless smtpAllowInsecureAuth), credentials, the certificate check, the connection,
 * greeting and DNS timeouts from smtpTimeoutMs, and the socket's from smtpDataTimeoutMs: the
 * longest a reply may take is the one to the final dot (RFC 5321 4.5.3.2.6: 10 minutes); sendEmail
 * holds every other reply to smtpTimeoutMs itself. No pool: a pooled transport re-queues on its
 * own. Throws when smtpUrl is unset.
 */
export function transportOptions(s: SmtpSettings) {
  if (!s.smtpUrl) throw new Error('notify.smtpUrl is not set');
  return {
    url: s.smtpUrl,
    pool: false as const,
    requireTLS: tlsRequired(s),
    tls: { rejectUnauthorized: s.smtpVerifyCertificate },
    connectionTimeout: s.smtpTimeoutMs,
    greetingTimeout: s.smtpTimeoutMs,
    socketTimeout: Math.max(s.smtpTimeoutMs, s.smtpDataTimeoutMs),
    dnsTimeout: s.smtpTimeoutMs,
    ...(s.smtpUser ? { auth: { user: s.smtpUser, pass: s.smtpPass ?? '' } } : {}),
  };
}

/**
 * The email of an outbox row as nodemailer sends it: its Message-ID, its date, its outbox id in a
 * header. The From is given to nodemailer as name and address, so the name is encoded whole
 * (a parenthesis in it is text, not a comment to drop). Throws when `from` is not a mailbox.
 */
export function messageOfRow(row: Pick<OutboxRow, 'id' | 'messageId' | 'address' | 'subject' | 'html' | 'text' | 'attachments' | 'createdAt'>, from: string) {
  const sender = parseMailbox(from);
  return {
    from: sender.name ? sender : sender.address,
    to: row.address,
    // One envelope recipient, whatever the headers say.
    envelope: { from: sender.address, to: [row.address] },
    subject: row.subject,
    html: row.html,
    text: row.text,
    attachments: row.attachments.map((a) => ({
      filename: a.filename,
      contentType: a.contentType,
      content: a.content,
      ...(a.encoding === 'base64' ? { encoding: 'base64' } : {}),
      ...(a.cid ? { cid: a.cid } : {}),
    })),
    messageId: row.messageId,
    date: new Date(row.createdAt),
    headers: { 'X-Edumon-Outbox-Id': row.id },
  };
}

/**
 * Sends one outbox row once, on a connection of its own, and classifies what came of it; never
 * throws. nodemailer's transaction log tells the stage: a command sent (`client`) must be answered
 * (`server`) within smtpTimeoutMs, or the connection is dropped (`retry`: nothing was delivered);
 * its `message` record is written when the data, final dot included, has gone out, after which the
 * reply may take smtpDataTimeoutMs (then `unknown`). `signal` aborts the attempt (the sender
 * stopping): the connection is dropped and the outcome is what the stage makes it. An address with
 * a non-ASCII local part is sent only to a server offering SMTPUTF8 (RFC 6531 3.4), asked first on
 * a connection of its own; otherwise the email fails, saying so.
 */
export async function sendEmail(s: SmtpSettings, row: Parameters<typeof messageOfRow>[0], signal?: AbortSignal): Promise<SendResult> {
  const utf8 = [row.address, safeAddress(s.from)].filter((a) => localPartNeedsSmtpUtf8(a));
  if (utf8.length > 0) {
    const probe = await probeSmtp({ ...s, smtpUser: undefined });
    if (!probe.ehlo.ok) return { outcome: 'retry', code: probe.ehlo.code, reply: probe.ehlo.reply, stage: 'connect' };
    if (!probe.smtpUtf8) return { outcome: 'failed', code: null, reply: smtpUtf8Refusal(utf8), stage: 'envelope' };
  }
  let dataSent = false;
  let greeted = false;
  // nodemailer's own abort (sendMail's `signal`) drops the connection: the watchdog and the caller's signal both use it.
  const attempt = new AbortController();
  let watchdog: NodeJS.Timeout | undefined;
  const disarm = () => clearTimeout(watchdog);
  const drop = (why: string) => attempt.abort(why);
  const arm = (key: 'smtpTimeoutMs' | 'smtpDataTimeoutMs') => {
    disarm();
    watchdog = setTimeout(() => drop(`no reply within notify.${key} (${s[key]} ms)`), s[key]);
  };
  const onAbort = () => drop(`stopped: ${String(signal?.reason ?? 'aborted')}`);
  const quiet = () => undefined;
  const tnxOf = (entry: unknown) => (typeof entry === 'object' && entry !== null ? (entry as { tnx?: unknown }).tnx : undefined);
  const logger = {
    trace: quiet,
    warn: quiet,
    error: quiet,
    fatal: quiet,
    debug: (entry: unknown) => {
      const tnx = tnxOf(entry);
      if (tnx === 'server') {
        greeted = true;
        disarm();
      } else if (tnx === 'client' && !dataSent) arm('smtpTimeoutMs');
    },
    info: (entry: unknown) => {
      if (tnxOf(entry) === 'message' && typeof entry === 'object' && entry !== null && 'outByteCount' in entry) {
        dataSent = true;
        arm('smtpDataTimeoutMs');
      }
    },
  };
  const stage = (): SendStage => (dataSent ? 'data' : greeted ? 'envelope' : 'connect');
  let transport: ReturnType<typeof nodemailer.createTransport> | undefined;
  try {
    if (signal?.aborted) return { outcome: 'retry', code: null, reply: 'stopped before the attempt', stage: 'connect' };
    signal?.addEventListener('abort', onAbort, { once: true });
    transport = nodemailer.createTransport({ ...transportOptions(s), logger, transactionLog: true });
    const info = await transport.sendMail({ ...messageOfRow(row, s.from), signal: attempt.signal });
    return { ...classifySend(null, true, String(info.response ?? '')), stage: 'data' };
  } catch (err) {
    const e = typeof err === 'object' && err !== null ? (err as SmtpErrorLike) : { message: messageOf(err) };
    // An abort says why in the signal's reason (the watchdog's words, or the sender stopping).
    const why = attempt.signal.aborted ? { code: 'ETIMEDOUT', message: String(attempt.signal.reason) } : e;
    return { ...classifySend(why, dataSent, undefined, tlsRequired(s) ? tlsRefusal(s) : undefined), stage: stage() };
  } finally {
    disarm();
    signal?.removeEventListener('abort', onAbort);
    transport?.close();
  }
}

/** The address of a From setting, or '' when it is not one (sendEmail's send then fails, saying why). */
function safeAddress(from: string): string {
  try {
    return parseMailbox(from).address;
  } catch {
    return '';
  }
}

/** Why an address with a non-ASCII local part was not sent: the server does not offer SMTPUTF8. */
export function smtpUtf8Refusal(addresses: readonly string[]): string {
  return (
    `地址 ${addresses.join('、')} 的 @ 前含非 ASCII 字符，SMTP 服务器不支持 SMTPUTF8，无法发送 / ` +
    `${addresses.join(', ')}: the part before the @ is not ASCII and the SMTP server does not offer SMTPUTF8 (RFC 6531); use an ASCII alias of the mailbox`
  );
}

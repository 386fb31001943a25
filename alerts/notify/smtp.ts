/**
 * The SMTP stage: one outbox row, one message, one envelope recipient, one attempt. nodemailer
 * without a pool and without retries of its own (the outbox retries, with the same Message-ID,
 * and records every attempt); what came of the attempt is decided by classifySend, a pure
 * function of what nodemailer reported.
 */
import nodemailer from 'nodemailer';
import type { Config } from '../../core/config.ts';
import { messageOf } from '../../core/errors.ts';
import type { OutboxRow, Outcome } from './outbox.ts';

/** The notify settings the SMTP stage reads. */
export type SmtpSettings = Pick<
  Config['notify'],
  'smtpUrl' | 'smtpUser' | 'smtpPass' | 'smtpRequireTls' | 'smtpVerifyCertificate' | 'smtpTimeoutMs' | 'smtpDataTimeoutMs' | 'from'
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
 * as is any 4xx reply. Without a reply: `retry` if the message data had not all gone out (nothing
 * can have been delivered), `unknown` if it had (`dataSent`): nodemailer reports a lost reply to
 * the final dot as a socket timeout or close with command 'CONN', the same as one before it,
 * so the stage comes from the caller (sendEmail watches the data stream end).
 */
export function classifySend(err: SmtpErrorLike | null, dataSent: boolean, response?: string): SendResult {
  if (!err) return { outcome: 'sent', code: replyCodeOf(response), reply: (response ?? '').slice(0, MAX_REPLY) };
  const code = typeof err.responseCode === 'number' ? err.responseCode : replyCodeOf(err.response);
  const reply = (err.response ?? [err.code, err.message].filter(Boolean).join(': ')).slice(0, MAX_REPLY);
  if (code !== null) {
    const permanent = code >= 500 && code !== 503 && err.code !== 'EAUTH';
    return { outcome: permanent ? 'failed' : 'retry', code, reply };
  }
  return { outcome: dataSent ? 'unknown' : 'retry', code: null, reply };
}

/**
 * The nodemailer transport options of the settings: the URL (smtps:// is TLS from the start,
 * smtp:// upgrades with STARTTLS when offered, or must when smtpRequireTls), credentials, the
 * certificate check, the connection, greeting and DNS timeouts from smtpTimeoutMs, and the socket's
 * from smtpDataTimeoutMs: the longest a reply may take is the one to the final dot (RFC 5321
 * 4.5.3.2.6: 10 minutes); sendEmail holds every other reply to smtpTimeoutMs itself. No pool: a
 * pooled transport re-queues on its own.
 */
export function transportOptions(s: SmtpSettings) {
  if (!s.smtpUrl) throw new Error('notify.smtpUrl is not set');
  return {
    url: s.smtpUrl,
    pool: false as const,
    requireTLS: s.smtpRequireTls,
    tls: { rejectUnauthorized: s.smtpVerifyCertificate },
    connectionTimeout: s.smtpTimeoutMs,
    greetingTimeout: s.smtpTimeoutMs,
    socketTimeout: Math.max(s.smtpTimeoutMs, s.smtpDataTimeoutMs),
    dnsTimeout: s.smtpTimeoutMs,
    ...(s.smtpUser ? { auth: { user: s.smtpUser, pass: s.smtpPass ?? '' } } : {}),
  };
}

/** The email of an outbox row as nodemailer sends it: its Message-ID, its date, its outbox id in a header. */
export function messageOfRow(row: Pick<OutboxRow, 'id' | 'messageId' | 'address' | 'subject' | 'html' | 'text' | 'attachments' | 'createdAt'>, from: string) {
  return {
    from,
    to: row.address,
    // One envelope recipient, whatever the headers say.
    envelope: { from: addressOf(from), to: [row.address] },
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

/** The bare address of `Name <addr>` (or the text itself). */
function addressOf(from: string): string {
  return /<([^<>]+)>\s*$/.exec(from)?.[1] ?? from.trim();
}

/**
 * Sends one outbox row once, on a connection of its own, and classifies what came of it; never
 * throws. nodemailer's transaction log tells the stage: a command sent (`client`) must be answered
 * (`server`) within smtpTimeoutMs, or the connection is dropped (`retry`: nothing was delivered);
 * its `message` record is written when the data, final dot included, has gone out, after which the
 * reply may take smtpDataTimeoutMs (then `unknown`). `signal` aborts the attempt (the sender stopping): the
 * connection is dropped and the outcome is what the stage makes it.
 */
export async function sendEmail(s: SmtpSettings, row: Parameters<typeof messageOfRow>[0], signal?: AbortSignal): Promise<SendResult> {
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
    return { ...classifySend(why, dataSent), stage: stage() };
  } finally {
    disarm();
    signal?.removeEventListener('abort', onAbort);
    transport?.close();
  }
}

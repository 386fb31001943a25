/**
 * Asks the SMTP server what it offers without sending anything: connect, EHLO (and STARTTLS when
 * it is offered or required), the login when one is set, QUIT. For `notify check`, the start-up
 * check of `edumon run`, and the SMTPUTF8 question before an internationalised address is sent.
 */
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import type { Config } from '../../core/config.ts';
import { messageOf } from '../../core/errors.ts';
import { tlsRefusal, tlsRequired } from './smtpTls.ts';

/** The settings a probe reads. */
export type ProbeSettings = Pick<
  Config['notify'],
  'smtpUrl' | 'smtpUser' | 'smtpPass' | 'smtpRequireTls' | 'smtpAllowInsecureAuth' | 'smtpVerifyCertificate' | 'smtpTimeoutMs'
>;

/** One step's answer: accepted, or the server's reply (code null: no reply: refused, unreachable, timed out, TLS failed). */
export interface ProbeStep {
  ok: boolean;
  code: number | null;
  reply: string;
}

/** What the server offered. */
export interface SmtpProbe {
  /** Connected and greeted, EHLO answered, TLS had when required. */
  ehlo: ProbeStep;
  /** Whether the session was encrypted (smtps://, or STARTTLS). */
  tls: boolean;
  /** Whether the server offers SMTPUTF8 (RFC 6531): addresses with a non-ASCII local part. */
  smtpUtf8: boolean;
  /** The login (AUTH); null when none is set or EHLO failed (nothing was sent). */
  auth: ProbeStep | null;
}

type ErrorLike = { code?: string; command?: string; response?: string; responseCode?: number; message?: string };

const stepOf = (err: ErrorLike | null, tlsReason?: string): ProbeStep => {
  if (!err) return { ok: true, code: null, reply: '' };
  const code = typeof err.responseCode === 'number' ? err.responseCode : null;
  const reply = err.response ?? [err.code, err.message].filter(Boolean).join(': ');
  // A refused STARTTLS: the server offers none (nodemailer sends one anyway when TLS is required).
  const refusedTls = tlsReason !== undefined && err.code === 'ETLS' && err.command === 'STARTTLS' && code !== null;
  return { ok: false, code, reply: refusedTls ? `${tlsReason} (${reply})` : reply };
};

/**
 * Probes the server of `s.smtpUrl` (throws when it is unset); never throws otherwise: a failure is
 * in the step it stopped at. Takes at most about 3 × smtpTimeoutMs (connect, EHLO, AUTH).
 */
export async function probeSmtp(s: ProbeSettings): Promise<SmtpProbe> {
  if (!s.smtpUrl) throw new Error('notify.smtpUrl is not set');
  const url = new URL(s.smtpUrl);
  const secure = url.protocol === 'smtps:';
  const required = tlsRequired(s);
  const conn = new SMTPConnection({
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    requireTLS: required,
    tls: { rejectUnauthorized: s.smtpVerifyCertificate },
    connectionTimeout: s.smtpTimeoutMs,
    greetingTimeout: s.smtpTimeoutMs,
    socketTimeout: s.smtpTimeoutMs,
    dnsTimeout: s.smtpTimeoutMs,
    logger: false,
  });
  let failed: ErrorLike | null = null;
  const ended = new Promise<void>((resolve) => conn.once('end', () => resolve()));
  try {
    const connected = await new Promise<ErrorLike | null>((resolve) => {
      conn.once('error', (err: ErrorLike) => resolve(err));
      conn.once('end', () => resolve({ message: 'connection closed' }));
      conn.connect(() => resolve(null));
    });
    failed = connected;
    const ehlo = stepOf(connected, required ? tlsRefusal(s) : undefined);
    // nodemailer keeps the EHLO keywords it recognised in a field its types do not declare.
    const extensions = (conn as unknown as { _supportedExtensions?: string[] })._supportedExtensions ?? [];
    if (!ehlo.ok) return { ehlo, tls: false, smtpUtf8: false, auth: null };
    let auth: ProbeStep | null = null;
    if (s.smtpUser !== undefined) {
      const user = s.smtpUser;
      auth = await new Promise<ProbeStep>((resolve) => {
        conn.once('error', (err: ErrorLike) => resolve(stepOf(err)));
        conn.login({ user, pass: s.smtpPass ?? '' }, (err) => resolve(stepOf(err)));
      });
    }
    return { ehlo, tls: conn.secure, smtpUtf8: extensions.includes('SMTPUTF8'), auth };
  } catch (err) {
    failed = { message: messageOf(err) };
    return { ehlo: stepOf(failed), tls: false, smtpUtf8: false, auth: null };
  } finally {
    if (failed) conn.close();
    else conn.quit();
    await Promise.race([ended, new Promise((r) => setTimeout(r, 1000).unref())]);
  }
}

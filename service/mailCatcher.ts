/**
 * A local SMTP server that accepts every message and keeps it: for `edumon demo` (the emails the
 * year's alerts cause, readable without a mail account) and bench/alert-latency (when each email
 * was accepted). smtp-server receives, mailparser reads each message back; with a folder, each is
 * written there as `NNNN-<recipient>.eml` (the message as received) and `.html` (its HTML body, to
 * open in a browser), numbered after those an earlier run left. Loopback only, no authentication: never a real mail server.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** One message as the catcher accepted it. */
export interface CaughtMail {
  /** Epoch ms when the catcher answered 250. */
  acceptedAt: number;
  messageId: string;
  /** The envelope recipients. */
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** The .eml file, when the catcher writes to a folder. */
  file: string | null;
}

export interface MailCatcher {
  port: number;
  /** `smtp://127.0.0.1:<port>`, for notify.smtpUrl. */
  url: string;
  mails: CaughtMail[];
  stop(): Promise<void>;
}

/** The highest NNNN of the `NNNN-*.eml` files already in `dir` (0 if none): a catcher writing there numbers on from it. */
export function lastMailNumber(dir: string): number {
  const numbers = readdirSync(dir)
    .map((f) => /^(\d{4,})-.*\.eml$/.exec(f)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number);
  return Math.max(0, ...numbers);
}

/**
 * Starts the catcher on 127.0.0.1 (`port` 0: a free one); `dir` is created if missing, and the
 * messages already in it stay: new ones are numbered after them.
 */
export async function startMailCatcher(opts: { port?: number; dir?: string; onMail?: (mail: CaughtMail) => void } = {}): Promise<MailCatcher> {
  const mails: CaughtMail[] = [];
  if (opts.dir) mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
  const first = opts.dir ? lastMailNumber(opts.dir) : 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    closeTimeout: 100,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', (err) => callback(err));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw)
          .then((parsed) => {
            const to = (session.envelope.rcptTo || []).map((r) => r.address);
            const n = String(first + mails.length + 1).padStart(4, '0');
            const base = opts.dir ? join(opts.dir, `${n}-${to.join('+').replace(/[^\w.@+-]/g, '_')}`) : null;
            if (base) {
              writeFileSync(`${base}.eml`, raw, { mode: 0o600 });
              if (parsed.html) writeFileSync(`${base}.html`, parsed.html, { mode: 0o600 });
            }
            const mail: CaughtMail = {
              acceptedAt: Date.now(),
              messageId: parsed.messageId ?? '',
              to,
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : '',
              file: base ? `${base}.eml` : null,
            };
            mails.push(mail);
            callback(null, 'kept');
            opts.onMail?.(mail);
          })
          .catch((err: Error) => callback(err));
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    mails,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

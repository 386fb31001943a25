/**
 * A real SMTP server in-process (smtp-server), for the sender's tests: every message it receives
 * is parsed (mailparser) and kept with its Message-ID and envelope recipients; `accepted` are those
 * it answered 250 to. Behaviours (refuse a recipient, answer 451, never answer) come from the
 * test's hooks. It can stop and start again on the same port, as a mail server restarted would.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';

/** One message the server received (DATA complete), answered or not. */
export interface Received {
  messageId: string;
  /** The envelope recipients (RCPT TO). */
  to: string[];
  outboxId: string;
  subject: string;
  text: string;
  html: string;
  /** The message as received (headers and encoded bodies), for checks that nothing leaks in any part. */
  raw: string;
}

/**
 * What the server does with a received message: accept it, refuse it with a code, never answer,
 * or accept it after `delayMs` (a server that stores the message, then scans it before replying).
 */
export type DataAnswer = 'accept' | 'hang' | { code: number; message: string } | { delayMs: number };

export interface SmtpCatcher {
  port: number;
  url: string;
  /** Every message received, in order (answered or not). */
  received: Received[];
  /** The messages answered 250. */
  accepted: Received[];
  /** Every RCPT TO, accepted or refused. */
  rcpts: string[];
  /** How many messages (recipient, Message-ID) were accepted, by `${recipient} ${messageId}`. */
  acceptedCounts(): Map<string, number>;
  stop(): Promise<void>;
  start(): Promise<void>;
}

const smtpError = (code: number, message: string) => Object.assign(new Error(message), { responseCode: code });

export async function startSmtpCatcher(
  hooks: {
    port?: number;
    /** A refusal (code and text) for a sender (MAIL FROM), or null to accept it. */
    mailFrom?: (address: string) => { code: number; message: string } | null;
    /** A refusal (code and text) for a recipient, or null to accept it. */
    rcpt?: (address: string) => { code: number; message: string } | null;
    /** The answer to a received message (the n-th received, from 0). */
    data?: (msg: Received, n: number) => DataAnswer;
    /** Called after a message was accepted (e.g. to stop the server between messages). */
    afterAccept?: (msg: Received, acceptedSoFar: number) => void;
    /** Whether EHLO offers SMTPUTF8 (RFC 6531: addresses with a non-ASCII local part); default true, as smtp-server does. */
    smtpUtf8?: boolean;
  } = {},
): Promise<SmtpCatcher> {
  const received: Received[] = [];
  const accepted: Received[] = [];
  const rcpts: string[] = [];
  let server: SMTPServer | undefined;
  let port = hooks.port ?? 0;

  const create = () =>
    new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      hideSMTPUTF8: hooks.smtpUtf8 === false,
      logger: false,
      // A hung session (the never-answering test) must not hold a stop for 30 s.
      closeTimeout: 50,
      onMailFrom(address: SMTPServerAddress, _session, callback) {
        const refusal = hooks.mailFrom?.(address.address);
        callback(refusal ? smtpError(refusal.code, refusal.message) : null);
      },
      onRcptTo(address: SMTPServerAddress, _session, callback) {
        rcpts.push(address.address);
        const refusal = hooks.rcpt?.(address.address);
        callback(refusal ? smtpError(refusal.code, refusal.message) : null);
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        new Promise<Buffer>((resolve, reject) => {
          stream.once('end', () => resolve(Buffer.concat(chunks)));
          stream.once('error', reject);
        })
          .then(async (raw) => ({ raw, parsed: await simpleParser(raw) }))
          .then(({ raw, parsed }) => {
            const msg: Received = {
              messageId: parsed.messageId ?? '',
              to: (session.envelope.rcptTo || []).map((r) => r.address),
              outboxId: String(parsed.headers.get('x-edumon-outbox-id') ?? ''),
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : '',
              raw: raw.toString('utf8'),
            };
            const n = received.length;
            received.push(msg);
            const answer = hooks.data?.(msg, n) ?? 'accept';
            if (answer === 'hang') return; // the data was read; no reply ever comes
            const accept = () => {
              accepted.push(msg);
              callback(null, 'queued');
              hooks.afterAccept?.(msg, accepted.length);
            };
            if (answer === 'accept') accept();
            else if ('delayMs' in answer) setTimeout(accept, answer.delayMs);
            else callback(smtpError(answer.code, answer.message));
          })
          .catch((err) => callback(err as Error));
      },
    });

  const catcher: SmtpCatcher = {
    get port() {
      return port;
    },
    get url() {
      return `smtp://127.0.0.1:${port}`;
    },
    received,
    accepted,
    rcpts,
    acceptedCounts() {
      const counts = new Map<string, number>();
      for (const m of accepted) for (const to of m.to) counts.set(`${to} ${m.messageId}`, (counts.get(`${to} ${m.messageId}`) ?? 0) + 1);
      return counts;
    },
    async start() {
      server = create();
      const s = server;
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, '127.0.0.1', () => resolve());
      });
      port = (s.server.address() as AddressInfo).port;
    },
    async stop() {
      const s = server;
      server = undefined;
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
  await catcher.start();
  return catcher;
}

/**
 * The config file's `notify` settings for a service that mails `catcher` under a controlled clock
 * (EDUMON_FAILPOINT_CLOCK): quick timeouts and retries, and no email given up for its age, which
 * the sender judges by the wall clock, hours or a year ahead of the controlled one. Spread
 * `contacts` and the rest beside them.
 */
export function catcherNotify(catcher: Pick<SmtpCatcher, 'url'>) {
  return { smtpUrl: catcher.url, smtpTimeoutMs: 3000, retryInitialMs: 50, giveUpAfterHours: 1e6 };
}

/** A loopback port nothing listens on (a mail server that is down). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/**
 * The outbox: one row per (email, recipient), written in the transaction of the alert transitions
 * that cause it (writeOutbox), so an email is neither lost by a crash after the alerts changed nor
 * invented by one before. The sender (service/mailSender.ts) reads what is due and records every
 * attempt here; each row keeps one Message-ID for all its attempts, so a receiving server (or a
 * mail client) can drop the copy a lost reply made us send twice. Told means accepted: the attempt
 * a server accepts records, in its own transaction, that the contact is told of what the email
 * says (notify_log, from outbox_notices). SQL in sql/alerts/outbox_*.sql.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { inTransaction } from '../../core/db.ts';
import { sqlStatements } from '../../core/sqlStatements.ts';
import type { AlertTransition } from '../evaluate.ts';
import { writeDeliveryAlert } from './notifyFailed.ts';

const SQL = sqlStatements('alerts', [
  'outbox_insert',
  'outbox_due',
  'outbox_next_due',
  'outbox_attempt_insert',
  'outbox_attempt_update',
  'outbox_list',
  'outbox_pending_count',
  'outbox_existing',
  'outbox_retry',
  'outbox_requeue',
  'notify_told',
]);

/** One email to one recipient, as the notification policy writes it (times ISO 8601 UTC). */
export interface OutboxRow {
  /** Deterministic (the policy derives it from what the email says and to whom): a redone sweep writes the same id. */
  id: string;
  /** `<id@notify.messageIdDomain>` (messageIdOf). */
  messageId: string;
  /** The contact's id from the notify config: what DQ-NOTIFY-FAILED and the listings name. */
  contactId: string;
  /** The one envelope recipient. */
  address: string;
  kind: 'alerts' | 'digest' | 'test';
  subject: string;
  html: string;
  text: string;
  /** Attachments: text as is, or binary (images, .xlsx) as base64 with `encoding: 'base64'`; `cid` for an image the HTML shows inline. */
  attachments: OutboxAttachment[];
  alertIds: string[];
  createdAt: string;
}

/** One attachment of an outbox email. */
export interface OutboxAttachment {
  filename: string;
  contentType: string;
  content: string;
  /** How `content` is written: the text itself (default) or base64 of the bytes. */
  encoding?: 'utf8' | 'base64';
  /** Content-ID, for an image the HTML shows as `cid:<cid>`. */
  cid?: string;
}

/** An email due for an attempt, with what it went through so far. */
export interface DueRow extends OutboxRow {
  state: 'pending' | 'unknown';
  /** Attempts made so far. */
  attempts: number;
  /** When it was last queued (created, or queued again): giving up counts from it (ISO 8601 UTC). */
  queuedAt: string;
  /** Attempts since it was last queued that got no reply to the final dot. */
  unknowns: number;
}

/**
 * What one attempt came to: `sent` (accepted), `failed` (refused for good: a 5xx, or given up),
 * `retry` (a 4xx or a transport error before the message data went out: certainly not
 * delivered), `unknown` (no reply to the message data: maybe delivered; retried with the same
 * Message-ID).
 */
export type Outcome = 'sent' | 'failed' | 'retry' | 'unknown';

/**
 * The outbox states: a `retry` leaves the row `pending`; `held` is an email whose final dot got no
 * reply notify.maxUnknownAttempts times (the server may have stored every copy): it waits for
 * `edumon notify retry`.
 */
export const outboxStates = ['pending', 'sent', 'failed', 'unknown', 'held'] as const;
export type OutboxState = (typeof outboxStates)[number];

/** The Message-ID of an outbox row: the same row always has the same one, whatever the attempt. */
export function messageIdOf(id: string, domain: string): string {
  return `<${id}@${domain}>`;
}

/**
 * Adds emails to the outbox, pending and due at their createdAt, inside the caller's transaction
 * (the sweep's, with the alert transitions they tell of). A row whose id is already there is left
 * alone, so writing the same rows twice changes nothing.
 */
export async function writeOutbox(conn: DuckDBConnection, rows: readonly OutboxRow[]): Promise<void> {
  for (const r of rows) {
    await conn.run(SQL.outbox_insert, {
      id: r.id,
      message_id: r.messageId,
      contact_id: r.contactId,
      address: r.address,
      kind: r.kind,
      subject: r.subject,
      html: r.html,
      text: r.text,
      attachments: JSON.stringify(r.attachments),
      alert_ids: JSON.stringify(r.alertIds),
      created_at: r.createdAt,
    });
  }
}

const json = <T>(v: unknown, fallback: T): T => (typeof v === 'string' ? (JSON.parse(v) as T) : ((v as T | null) ?? fallback));

/** The emails due at `now` (pending or unknown, next attempt reached), oldest first, at most `limit`, but none of `busy` (attempts in flight). */
export async function loadDue(conn: DuckDBConnection, now: Date, limit: number, busy: Iterable<string> = []): Promise<DueRow[]> {
  const rows = (await conn.runAndReadAll(SQL.outbox_due, { now: now.toISOString(), limit, busy: [...busy].join(',') })).getRowObjectsJson();
  return rows.map((r) => ({
    id: String(r.id),
    messageId: String(r.message_id),
    contactId: String(r.contact_id),
    address: String(r.address),
    kind: r.kind as OutboxRow['kind'],
    subject: String(r.subject),
    html: String(r.html),
    text: String(r.text),
    attachments: json(r.attachments, []),
    alertIds: json(r.alert_ids, []),
    createdAt: String(r.created_at),
    state: r.state as DueRow['state'],
    attempts: Number(r.attempts),
    queuedAt: String(r.queued_at),
    unknowns: Number(r.unknowns),
  }));
}

/** When the next email not yet sent falls due, or null when none waits. */
export async function nextDueAt(conn: DuckDBConnection): Promise<Date | null> {
  const at = (await conn.runAndReadAll(SQL.outbox_next_due)).getRowObjectsJson()[0]?.at;
  return typeof at === 'string' ? new Date(at) : null;
}

/** One attempt to record: its outcome and, for the alert, whom it was for (times ISO 8601 UTC). */
export interface AttemptRecord {
  outboxId: string;
  contactId: string;
  /** The contact's region (alerts/notify/notifyFailed.ts contactRegionOf), for DQ-NOTIFY-FAILED. */
  region: string | null;
  at: string;
  outcome: Outcome;
  /** The SMTP reply code; null for a transport error, a timeout or a give-up. */
  code: number | null;
  /** The server's reply, or the transport error. */
  reply: string;
  /** When a `retry` or `unknown` row is tried again (ignored for the others). */
  nextAttemptAt: string;
  /** Set on an `unknown` outcome that holds the email (too many without a reply to the final dot): why it waits. */
  holdReason?: string;
}

const STATE_OF: Record<Outcome, OutboxState> = { sent: 'sent', failed: 'failed', retry: 'pending', unknown: 'unknown' };

/**
 * Records an attempt in one transaction (its own): the outbox_attempts row, the outbox row's
 * state, attempts, next attempt, sent_at and last reply; for an accepted alert email, that its
 * contact is told of what it says (notify_log); and DQ-NOTIFY-FAILED (opened by a failure or a
 * hold, resolved by the contact's next accepted email). Returns the alert transitions made.
 */
export async function recordAttempt(conn: DuckDBConnection, a: AttemptRecord): Promise<AlertTransition[]> {
  const held = a.outcome === 'unknown' && a.holdReason !== undefined;
  return inTransaction(conn, async () => {
    await conn.run(SQL.outbox_attempt_insert, { id: a.outboxId, attempted_at: a.at, outcome: a.outcome, code: a.code, reply: a.reply });
    await conn.run(SQL.outbox_attempt_update, {
      id: a.outboxId,
      state: held ? 'held' : STATE_OF[a.outcome],
      next_attempt_at: (a.outcome === 'retry' || a.outcome === 'unknown') && !held ? a.nextAttemptAt : a.at,
      sent_at: a.outcome === 'sent' ? a.at : null,
      code: a.code,
      reply: a.reply,
      hold_reason: held ? (a.holdReason ?? null) : null,
    });
    if (a.outcome === 'sent') await conn.run(SQL.notify_told, { id: a.outboxId });
    // A held email is a failure to the people waiting for it: the data team hears why.
    return writeDeliveryAlert(conn, held ? { ...a, outcome: 'failed', reply: a.holdReason ?? a.reply } : a);
  });
}

/** Which failed or held emails `edumon notify retry` queues again: a state (default both), a contact, an outbox id. */
export interface RetryFilter {
  state?: 'failed' | 'held';
  contact?: string;
  id?: string;
}

/**
 * Queues the failed or held emails `filter` picks again, due at `now`, with their Message-IDs
 * (sql/alerts/outbox_retry.sql); giving up counts from `now`. Returns the ids queued.
 */
export async function retryOutbox(conn: DuckDBConnection, filter: RetryFilter, now: Date): Promise<string[]> {
  const params = { state: filter.state ?? null, contact: filter.contact ?? null, id: filter.id ?? null, now: now.toISOString() };
  return (await conn.runAndReadAll(SQL.outbox_retry, params)).getRows().map(([id]) => String(id));
}

/** Automatic re-queues of one failed alert email (a restart, the server back) before only `notify retry` sends it again. */
export const MAX_REQUEUES = 3;

/**
 * Delivery may be possible again: queues again the failed alert emails that still tell something
 * true, for `domain` (a server accepted an email there) or every domain (null: the sender
 * started, its configuration perhaps fixed); each at most MAX_REQUEUES times
 * (sql/alerts/outbox_requeue.sql). Returns the ids queued.
 */
export async function requeueFailed(conn: DuckDBConnection, domain: string | null, now: Date): Promise<string[]> {
  const rows = (await conn.runAndReadAll(SQL.outbox_requeue, { domain, now: now.toISOString(), max: MAX_REQUEUES })).getRows();
  return rows.map(([id]) => String(id));
}

/** The columns of `edumon notify list`, in its order. */
export const OUTBOX_LIST_COLUMNS = ['id', 'created_at', 'contact_id', 'address', 'kind', 'subject', 'state', 'attempts', 'last_code', 'last_reply', 'waiting'];

/**
 * The outbox as `edumon notify list` shows it, newest first, as columns and rows (times in
 * Asia/Shanghai, +08:00); `state` unset for every row.
 */
export async function listOutbox(conn: DuckDBConnection, state?: OutboxState): Promise<{ columns: string[]; rows: unknown[][] }> {
  const rows = (await conn.runAndReadAll(SQL.outbox_list, { state: state ?? null })).getRowObjectsJson();
  return { columns: OUTBOX_LIST_COLUMNS, rows: rows.map((r) => OUTBOX_LIST_COLUMNS.map((c) => r[c] ?? null)) };
}

/** How many emails wait to be sent: pending, or of unknown outcome. */
export async function pendingCount(conn: DuckDBConnection): Promise<number> {
  return Number((await conn.runAndReadAll(SQL.outbox_pending_count)).getRowObjectsJson()[0]?.n ?? 0);
}

/** The ids among `ids` already in the outbox. */
export async function existingOutboxIds(conn: DuckDBConnection, ids: readonly string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const rows = (await conn.runAndReadAll(SQL.outbox_existing, { ids: ids.join(',') })).getRows();
  return new Set(rows.map(([id]) => String(id)));
}

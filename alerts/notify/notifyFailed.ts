/**
 * DQ-NOTIFY-FAILED: an alert email that could not be delivered (a 5xx reply, or not accepted
 * within notify.giveUpAfterHours). Raised by the mail sender (service/mailSender.ts) in the
 * transaction that records the failed attempt; resolved by the next email to that contact the
 * server accepts. It names the contact by id, never by address: alerts are listed, exported and
 * mailed to others, an address is not theirs to see.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Config } from '../../core/config.ts';
import { CITY_CODE } from '../../core/regions.ts';
import { shanghaiDate } from '../../core/shanghai.ts';
import { sqlStatements } from '../../core/sqlStatements.ts';
import type { Violation } from '../../domain/violation.ts';
import { loadAlertStates, writeTransitions } from '../alertStore.ts';
import { type AlertTransition, evaluate, transitionsMade } from '../evaluate.ts';

export const NOTIFY_FAILED = 'DQ-NOTIFY-FAILED';
export const NOTIFY_FAILED_SEVERITY = 'critical';

/** Longest SMTP reply kept in the alert's details (a server may answer with a page of text). */
const MAX_REPLY = 300;

const SQL = sqlStatements('alerts', ['outbox_failed_since_sent']);

/**
 * The region a contact is listed under in notify.contacts (a county's or district's before the
 * city's, as routing does for a contact listed twice), or null for a contact listed only as an
 * escalation or data-team contact, or no longer listed at all.
 */
export function contactRegionOf(contactId: string, notify: Pick<Config['notify'], 'contacts'>): string | null {
  const regions = Object.entries(notify.contacts)
    .filter(([, list]) => list.some((c) => c.id === contactId))
    .map(([code]) => code);
  return regions.find((code) => code !== CITY_CODE) ?? regions[0] ?? null;
}

/** What one failed delivery says: the outbox row, the contact (by id), the moment (ISO UTC), the server's answer. */
export interface DeliveryFailure {
  outboxId: string;
  contactId: string;
  region: string | null;
  at: string;
  /** The SMTP reply code, null for a transport error or a give-up. */
  code: number | null;
  reply: string;
  /** Failed deliveries to this contact since one was last accepted, this one included. */
  failedCount: number;
}

/** Anything shaped like an email address: servers quote the recipient in their replies (`550 5.1.1 <x@y>: User unknown`). */
const ADDRESS = /<?[^\s<>()[\]"',;:]+@[^\s<>()[\]"',;:]+>?/g;

/** A server's reply fit for an alert: every address in it (with its angle brackets) replaced by `<address>`, at most MAX_REPLY characters. */
export function replyForAlert(reply: string): string {
  return reply.replace(ADDRESS, '<address>').slice(0, MAX_REPLY);
}

/** The DQ-NOTIFY-FAILED violation of a failed delivery: one per contact and Shanghai day; no address, even in the reply. */
export function notifyFailedViolation(f: DeliveryFailure): Violation {
  return {
    rule: NOTIFY_FAILED,
    school_id: null,
    region_code: f.region,
    period: shanghaiDate(f.at),
    subject: f.contactId,
    observed: null,
    threshold: null,
    details: { outbox_id: f.outboxId, code: f.code, reply: replyForAlert(f.reply), failed_count: f.failedCount },
  };
}

/**
 * The alert side of one recorded attempt, inside the caller's transaction: a failure opens (or
 * updates, or reopens) the contact's DQ-NOTIFY-FAILED of the day; an accepted email resolves every
 * open one of the contact; a retry changes nothing. Returns the transitions made.
 */
export async function writeDeliveryAlert(
  conn: DuckDBConnection,
  a: { outcome: string; outboxId: string; contactId: string; region: string | null; at: string; code: number | null; reply: string },
): Promise<AlertTransition[]> {
  if (a.outcome !== 'sent' && a.outcome !== 'failed') return [];
  const states = (await loadAlertStates(conn, NOTIFY_FAILED)).filter((s) => s.subject === a.contactId);
  if (a.outcome === 'sent') {
    if (!states.some((s) => s.status === 'open')) return [];
    const transitions = evaluate(states, [], a.at);
    await writeTransitions(conn, NOTIFY_FAILED_SEVERITY, transitions);
    return transitionsMade(states, transitions, NOTIFY_FAILED_SEVERITY);
  }
  const failedCount = Number((await conn.runAndReadAll(SQL.outbox_failed_since_sent, { contact_id: a.contactId })).getRowObjectsJson()[0]?.n ?? 1);
  const v = notifyFailedViolation({ ...a, failedCount });
  // Only the day's alert is evaluated: an earlier day's stays open until an email gets through,
  // it is not resolved by a new failure.
  const today = states.filter((s) => s.period === v.period && s.region_code === v.region_code);
  const transitions = evaluate(today, [v], a.at);
  await writeTransitions(conn, NOTIFY_FAILED_SEVERITY, transitions);
  return transitionsMade(today, transitions, NOTIFY_FAILED_SEVERITY);
}

/**
 * The notification policy, Alertmanager's dedup and silence stages done right (there is no
 * inhibition: no alert holds back another's notices): a pure function of the alerts (as the stored
 * lifecycle leaves them), what each contact was told of each (notify_log: told means a server
 * accepted the email), the notices still on their way, the contacts, the silences, the mute in
 * force and `now`. It reconciles rather than reacts: whatever a contact has not yet been told (an opening, a reopening, a resolution) is due,
 * so a restart, a mute window or a silence loses nothing, and what stopped being relevant while
 * held (opened and resolved unseen) is never sent.
 *
 * For each alert and each contact routing gives it (alerts/notify/route.ts):
 * - open, and the contact was not told of this occurrence: `open` (or `reopen`);
 * - open, told, unacknowledged and last told renotifyHours ago or more: `renotify`;
 * - open, unacknowledged escalateAfterDays after its recipients were first told of it: the
 *   escalation contacts join its recipients, `escalate` the first time;
 * - resolved, and the contact was told it is open (this occurrence): `resolve`; a contact whose
 *   opening notice was never accepted is not told of the resolution either;
 * - a notice to the contact about the alert still on its way (pending, of unknown outcome, or
 *   failed or held while the alert is as it told): nothing new until it is accepted or given up;
 * - flapping (reopened more than flapMaxReopensPerDay times in 24 h): told once a day, with the count;
 * - silenced (a silence in force) or muted (a mute window or an official holiday): held, nothing is
 *   recorded, so it is due again the moment the silence or the mute ends.
 * Acknowledging an alert stops its reminders and its escalation (an ack lasts until it reopens).
 */
import type { Config, Contact } from '../../core/config.ts';
import type { Alert } from '../evaluate.ts';
import type { Severity } from '../rules.ts';
import { activeSilence, type Silence } from '../silences.ts';
import type { NoticeKind } from './model.ts';
import { escalationRecipientsOf, recipientsOf } from './route.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** An alert as the policy reads it: the lifecycle's row, its ack and how often it reopened in the last 24 hours. */
export interface NotifyAlert extends Alert {
  acked_at: string | null;
  reopensLastDay: number;
}

/** A notify_log row: what a contact was last told of an alert, in an email a server accepted (times ISO 8601). */
export interface LogEntry {
  alert_id: string;
  contact_id: string;
  occurrence: number;
  status: 'open' | 'resolved';
  notified_at: string;
  /** When the contact was first told of this occurrence (kept by reminders): escalation counts from the first of these. */
  told_at: string;
  escalated: boolean;
}

/** One alert to tell one contact, and why. */
export interface Notice {
  kind: NoticeKind;
  alert: NotifyAlert;
  /** Reopenings in the last 24 hours when the alert flaps, else null. */
  flapCount: number | null;
}

/** The notices of one contact, for one email. */
export interface ContactNotices {
  contact: Contact;
  scopeRegion: string | null;
  notices: Notice[];
}

/** A notice held back, and by what. */
export interface Held {
  alertId: string;
  contactId: string;
  reason: string;
}

export interface PolicyInput {
  /** Epoch ms. */
  now: number;
  /** The alerts to consider: every open alert, and every resolved one some contact was told is open. */
  alerts: readonly NotifyAlert[];
  log: readonly LogEntry[];
  /** `alertId\u0000contactId` of each pair with a notice no server accepted yet that holds back a new one (notifyStore loadQueuedNotices). */
  queued?: ReadonlySet<string>;
  notify: Pick<Config['notify'], 'contacts' | 'escalation' | 'dataTeam' | 'renotifyHours' | 'escalateAfterDays' | 'flapMaxReopensPerDay'>;
  silences: readonly Silence[];
  /** The mute in force at `now` (alerts/notify/calendar.ts muteUntil), or null. */
  mute: { until: number; reason: string } | null;
}

export interface PolicyDecision {
  /** One entry per contact with something to tell, in contact order of first appearance. */
  emails: ContactNotices[];
  /** The notify_log rows the notices become once a server accepts their emails. */
  log: LogEntry[];
  held: Held[];
}

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };
const KIND_RANK: Record<NoticeKind, number> = { open: 0, reopen: 0, escalate: 1, renotify: 2, resolve: 3 };

/** Decides what to tell whom now; see the module comment. Pure: same input, same decision. */
export function planNotifications(input: PolicyInput): PolicyDecision {
  const { now, notify } = input;
  const logOf = new Map(input.log.map((e) => [`${e.alert_id}\u0000${e.contact_id}`, e]));
  const at = new Date(now);
  const iso = at.toISOString();
  const byContact = new Map<string, ContactNotices>();
  const log: LogEntry[] = [];
  const held: Held[] = [];

  for (const alert of input.alerts) {
    const unacked = alert.acked_at === null;
    const regular = recipientsOf(alert, notify);
    // Unacknowledged escalateAfterDays after its recipients were first told (not after it opened:
    // days it was held by a mute window or a silence, when nobody could act, do not count).
    const firstTold = Math.min(
      ...regular.map((r) => {
        const e = logOf.get(`${alert.id}\u0000${r.contact.id}`);
        return e && e.occurrence === alert.occurrence ? Date.parse(e.told_at) : Number.POSITIVE_INFINITY;
      }),
    );
    const escalating = alert.status === 'open' && unacked && now - firstTold >= notify.escalateAfterDays * DAY;
    const known = new Set(regular.map((r) => r.contact.id));
    const escalation = escalating ? escalationRecipientsOf(alert, notify).filter((r) => !known.has(r.contact.id)) : [];
    const flapping = alert.reopensLastDay > notify.flapMaxReopensPerDay;
    const silence = activeSilence(alert, input.silences, at);
    for (const [recipient, isEscalation] of [...regular.map((r) => [r, false] as const), ...escalation.map((r) => [r, true] as const)]) {
      const entry = logOf.get(`${alert.id}\u0000${recipient.contact.id}`);
      const kind = noticeKind(alert, entry, isEscalation, unacked, now, notify.renotifyHours * HOUR);
      if (!kind) continue;
      // Told means accepted: while a notice is on its way, another would tell the same thing twice.
      if (input.queued?.has(`${alert.id}\u0000${recipient.contact.id}`)) continue;
      // A flapping alert is told once a day: not again (open, reopen or resolve) within 24 h of the last time.
      if (flapping && entry && now - Date.parse(entry.notified_at) < DAY && kind !== 'renotify') continue;
      const holdReason = silence ? `静默规则：${silence.reason}` : input.mute?.reason;
      if (holdReason) {
        held.push({ alertId: alert.id, contactId: recipient.contact.id, reason: holdReason });
        continue;
      }
      let email = byContact.get(recipient.contact.id);
      if (!email) {
        email = { contact: recipient.contact, scopeRegion: recipient.scopeRegion, notices: [] };
        byContact.set(recipient.contact.id, email);
      }
      email.notices.push({ kind, alert, flapCount: flapping ? alert.reopensLastDay : null });
      log.push({
        alert_id: alert.id,
        contact_id: recipient.contact.id,
        occurrence: alert.occurrence,
        status: alert.status,
        notified_at: iso,
        told_at: entry && entry.occurrence === alert.occurrence && entry.status === alert.status ? entry.told_at : iso,
        escalated: (entry?.escalated ?? false) || kind === 'escalate',
      });
    }
  }
  const emails = [...byContact.values()];
  for (const e of emails) e.notices.sort(byImportance);
  return { emails, log, held };
}

/** Why a contact should be told of an alert now, or null for nothing to tell. */
function noticeKind(
  alert: NotifyAlert,
  entry: LogEntry | undefined,
  isEscalation: boolean,
  unacked: boolean,
  now: number,
  renotifyMs: number,
): NoticeKind | null {
  const toldThisOccurrence = entry !== undefined && entry.occurrence === alert.occurrence;
  if (alert.status === 'resolved') return toldThisOccurrence && entry.status === 'open' ? 'resolve' : null;
  if (!toldThisOccurrence || entry.status === 'resolved') {
    if (isEscalation) return 'escalate';
    return alert.occurrence > 1 ? 'reopen' : 'open';
  }
  if (unacked && now - Date.parse(entry.notified_at) >= renotifyMs) return 'renotify';
  return null;
}

/** New alerts first, then escalations, reminders, resolutions; within each, most severe first, then by rule, school and id. */
function byImportance(a: Notice, b: Notice): number {
  return (
    KIND_RANK[a.kind] - KIND_RANK[b.kind] ||
    (SEVERITY_RANK[a.alert.severity as Severity] ?? 0) - (SEVERITY_RANK[b.alert.severity as Severity] ?? 0) ||
    a.alert.rule.localeCompare(b.alert.rule) ||
    (a.alert.school_id ?? '').localeCompare(b.alert.school_id ?? '') ||
    a.alert.id.localeCompare(b.alert.id)
  );
}

/**
 * The shapes notification passes along, declared once: what the policy (alerts/notify/policy.ts)
 * decides to tell each contact, and the view of it the email renderer (alerts/notify/render.ts)
 * turns into a subject, an HTML and a plain-text body. Times are ISO 8601 UTC; the renderer
 * shows them in Asia/Shanghai.
 */
import type { Contact } from '../../core/config.ts';
import type { ResultWords } from '../resultWords.ts';
import type { Severity } from '../rules.ts';
import type { AlertLinks } from './alertLinks.ts';

/**
 * Why an alert is in an email: it opened, reopened or resolved; it is still open and nobody
 * acknowledged it (`renotify`, after notify.renotifyHours); or it is escalated to the escalation
 * contacts (after notify.escalateAfterDays unacknowledged).
 */
export type NoticeKind = 'open' | 'reopen' | 'resolve' | 'renotify' | 'escalate';

/** One alert in one email, with everything the reader needs to act on it without another tool. */
export interface EmailItem {
  alertId: string;
  kind: NoticeKind;
  rule: string;
  /** The rule's title in the reader's language (`超计划招生` / `Admissions above the approved plan`). */
  ruleTitle: string;
  severity: Severity;
  /** The plan clause the rule enforces, as the plan writes it (`县中 6：「……」`), or why it is data health (`none: 中文 / English`). */
  policy: string;
  /** How the rule says its result (its header's measure, unit, comparison, subject), or null for a rule not in the catalogue (shown as stored). */
  says: ResultWords | null;
  schoolCode: string | null;
  /** The school's registered name, or null if the registry has none (DQ-UNKNOWN-SCHOOL) or the alert has no school. */
  schoolName: string | null;
  regionCode: string | null;
  /** The region's name in the reader's language (core/regions.ts), or null for a data-health alert. */
  regionName: string | null;
  period: string;
  /** What the alert is about beyond the school, as stored: a student's or staff member's pseudonym, a feed, a rule id. Never a raw id; shown through alerts/resultWords.ts. */
  subject: string | null;
  /** The measured value and the limit, as stored (numbers as text); shown through alerts/resultWords.ts with `says`. */
  observed: string | null;
  threshold: string | null;
  /** When this occurrence opened. */
  firstSeen: string;
  /** When it resolved (resolve notices only). */
  resolvedAt: string | null;
  /** The source record's event_id (details.event_id), for finding it on the admission platform; null if the rule has none. */
  eventId: string | null;
  /** 1 the first time; +1 at each reopening. */
  occurrence: number;
  /** Reopenings in the last 24 hours, when it flaps (more than notify.flapMaxReopensPerDay): mailed once with this count. */
  flapCount: number | null;
  acknowledged: boolean;
  /**
   * The alert's console page and its signed acknowledge link for this email's recipient
   * (alerts/notify/alertLinks.ts), or null when the email carries no links (console.publicUrl unset,
   * or the console off): the email then reads as it did before the console. An alert already
   * acknowledged is shown with its view link only.
   */
  links: AlertLinks | null;
}

/** One email to one contact: the alerts of one sweep or one reminder round, grouped. */
export interface EmailModel {
  /** The outbox row's id: also the Message-ID's local part. */
  id: string;
  recipient: Contact;
  /** The region whose contacts the recipient belongs to (410800 for the city), or null for the data team. */
  scopeRegion: string | null;
  /** Opened and reopened alerts first (most severe first), then reminders and escalations, then resolved. */
  items: EmailItem[];
  /** When the email was composed (the sweep's moment). */
  composedAt: string;
  /** Items beyond this (or beyond what keeps the HTML under Gmail's clip) are left out of the body and listed, with the others, in the CSV attachment. */
  maxItemsInBody: number;
}

/** A rendered email: what goes into the outbox. */
export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
  /** UTF-8 text attachments (the CSV of every alert when the body lists only the first N). */
  attachments: Array<{ filename: string; contentType: string; content: string }>;
}

/**
 * `edumon notify preview --alert ID`: the email one alert makes, rendered exactly as the outbox
 * would hold it (the same composition: alerts/notify/notifyRound.ts outboxRowOf), for a contact
 * it reaches, without writing anything.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Config, Contact } from '../../core/config.ts';
import { UsageError } from '../../core/errors.ts';
import { outboxRowOf } from './notifyRound.ts';
import { loadNotifyAlert, loadSchoolNames } from './notifyStore.ts';
import { escalationRecipientsOf, type Recipient, recipientsOf } from './route.ts';

/** A contact for a preview when none is configured. */
const NOBODY: Contact = { id: 'preview', name: '预览', email: 'preview@localhost', minSeverity: 'info', language: 'zh-CN' };

/** A previewed email: to whom, and what. */
export interface Preview {
  contactId: string;
  address: string;
  /** Whether routing sends this alert to that contact (false: the preview's stand-in or a contact it does not reach). */
  routed: boolean;
  subject: string;
  html: string;
  text: string;
  attachments: Array<{ filename: string; contentType: string; content: string }>;
}

/**
 * Renders the email of alert `alertId` as of `now` for `contactId` (default: the first contact it
 * reaches, else a stand-in). Throws UsageError for an unknown alert or contact id.
 */
export async function previewEmail(conn: DuckDBConnection, config: Config, alertId: string, now: Date, contactId?: string): Promise<Preview> {
  const alert = await loadNotifyAlert(conn, alertId, now.toISOString());
  if (!alert) throw new UsageError(`notify preview: no alert '${alertId}' (edumon alerts list shows their ids)`);
  const routed = [...recipientsOf(alert, config.notify), ...escalationRecipientsOf(alert, config.notify)];
  let recipient: Recipient | undefined = contactId ? routed.find((r) => r.contact.id === contactId) : routed[0];
  if (contactId && !recipient) {
    const anyone = [...Object.entries(config.notify.contacts).flatMap(([code, list]) => list.map((contact) => ({ contact, scopeRegion: code })))];
    recipient = anyone.find((r) => r.contact.id === contactId);
    if (!recipient) throw new UsageError(`notify preview: no contact '${contactId}' in notify.contacts`);
  }
  const to = recipient ?? { contact: NOBODY, scopeRegion: alert.region_code };
  const kind = alert.status === 'resolved' ? 'resolve' : alert.occurrence > 1 ? 'reopen' : 'open';
  const names = await loadSchoolNames(conn, alert.school_id ? [alert.school_id] : []);
  const row = outboxRowOf({ contact: to.contact, scopeRegion: to.scopeRegion, notices: [{ kind, alert, flapCount: null }] }, names, config, now.toISOString());
  return {
    contactId: to.contact.id,
    address: to.contact.email,
    routed: routed.some((r) => r.contact.id === to.contact.id),
    subject: row.subject,
    html: row.html,
    text: row.text,
    attachments: row.attachments,
  };
}

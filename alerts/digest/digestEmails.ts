/**
 * The week's digests, one per contact: who receives one and for which regions, the digest of
 * each scope (the figures computed once for the week, then each scope's share), and the outbox
 * rows that carry them. An outbox row's id is derived from the week, the contact and (for a contact's
 * additional region) the region alone, so a digest is written, and sent, once per week, recipient
 * and region whatever restarts or retries happen.
 */
import { createHash } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Config, Contact } from '../../core/config.ts';
import { CITY_CODE, regions } from '../../core/regions.ts';
import { alertViewLink } from '../notify/alertLinks.ts';
import { consoleLinks } from '../notify/consoleLinks.ts';
import { catalogueOf, titleIn } from '../notify/notifyRound.ts';
import { messageIdOf, type OutboxRow } from '../notify/outbox.ts';
import { figureDefs } from './figureDefs.ts';
import { digestFigures } from './figures.ts';
import { judgedOftenWrong } from './judgedOftenWrong.ts';
import type { Digest, IsoWeek } from './model.ts';
import { type RenderDigestOptions, renderDigest } from './render.ts';
import { judgeWeek, weekAlerts, weekDetected, weekQuality } from './weekReport.ts';
import { worseThisWeek } from './worseThisWeek.ts';

/** A contact that receives the digest, and the region it answers for (410800: the city, every region). */
export interface DigestRecipient {
  contact: Contact;
  scope: string;
  /**
   * True for a contact's second and later regions (listed under several regions, the city not among
   * them): that digest's outbox id names the region too. The first (lowest code) keeps the id of
   * the week and the contact alone, the one it had when such a contact received one digest.
   */
  additional?: boolean;
}

/**
 * Every contact listed under a region (notify.contacts), with that region as its scope. A contact
 * listed under the city receives the city's digest alone (it shows every region); one listed under
 * several regions receives one digest per region, lowest code first, each the same email that
 * region's other contacts receive. Escalation contacts and the data team receive none.
 */
export function digestRecipients(notify: Pick<Config['notify'], 'contacts'>): DigestRecipient[] {
  const byId = new Map<string, { contact: Contact; scopes: string[] }>();
  for (const [scope, list] of Object.entries(notify.contacts))
    for (const contact of list) {
      const seen = byId.get(contact.id) ?? { contact, scopes: [] };
      if (!seen.scopes.includes(scope)) seen.scopes.push(scope);
      byId.set(contact.id, seen);
    }
  return [...byId.values()].flatMap(({ contact, scopes }) =>
    scopes.includes(CITY_CODE)
      ? [{ contact, scope: CITY_CODE }]
      : [...scopes].sort().map((scope, i) => (i === 0 ? { contact, scope } : { contact, scope, additional: true })),
  );
}

/** The regions a scope's digest shows: the city and every region for the city, else the one region. */
export function scopeRegions(scope: string): string[] {
  return scope === CITY_CODE ? regions.map((r) => r.code) : [scope];
}

/**
 * The outbox id of a week's digest to one contact: the same week and contact (and, for a contact's
 * additional region, that region), the same id, whenever it is composed.
 */
export function digestOutboxId(week: IsoWeek, contactId: string, additionalScope?: string): string {
  const key = `digest\n${week.label}\n${contactId}${additionalScope === undefined ? '' : `\n${additionalScope}`}`;
  return createHash('sha256').update(key).digest('hex').slice(0, 32);
}

/** The outbox id of the week's digest to `recipient` (digestOutboxId). */
export function recipientOutboxId(week: IsoWeek, recipient: DigestRecipient): string {
  return digestOutboxId(week, recipient.contact.id, recipient.additional ? recipient.scope : undefined);
}

/**
 * The digests of `week` for `recipients`: the figures computed once, every rule judged once as of
 * the week's start and end (weekReport.ts judgeWeek: the alert list and data quality by event
 * time), each scope's digest built once; the city's also names the rules officials judged often
 * wrong (judgedOftenWrong.ts). Reads (`conn` must not be in a transaction), apart from keeping the
 * week-ends' figures it computed (figureCache.ts) unless `keep: false`; throws what the warehouse
 * throws.
 */
export async function buildDigests(
  conn: DuckDBConnection,
  config: Config,
  week: IsoWeek,
  recipients: readonly DigestRecipient[],
  now: Date,
  opts: { keep?: boolean } = {},
): Promise<Array<{ recipient: DigestRecipient; digest: Digest }>> {
  if (!recipients.length) return [];
  const all = await digestFigures(conn, week, config, opts);
  const defs = figureDefs(config.rules);
  const judged = await judgeWeek(conn, config, week);
  const quality = await weekQuality(conn, week, judged);
  const scopes = new Set(recipients.map((r) => r.scope));
  // The rules officials judged often wrong: the city's digest alone (issue 23).
  const oftenWrong = scopes.has(CITY_CODE) ? await judgedOftenWrong(conn, week, config.digest, catalogueOf(config)) : undefined;
  const byScope = new Map<string, Digest>();
  for (const scope of scopes) {
    const shown = scopeRegions(scope);
    const figures = all.filter((f) => shown.includes(f.region));
    byScope.set(scope, {
      week,
      regions: shown,
      figures,
      worse: worseThisWeek(figures, defs, config.digest.worseThresholdPoints),
      quality,
      alerts: weekAlerts(judged, scope === CITY_CODE ? null : shown),
      detected: await weekDetected(conn, week, scope === CITY_CODE ? null : shown),
      ...(scope === CITY_CODE && oftenWrong ? { judged: oftenWrong } : {}),
      composedAt: now.toISOString(),
    });
  }
  return recipients.map((recipient) => ({ recipient, digest: byScope.get(recipient.scope)! }));
}

/**
 * How a round's digests are rendered: the figures' definitions and the rules' titles (from the
 * catalogue) read once, and each trend picture drawn once for all of them. Returns the options for
 * one reader's language and scope; with the console's public address, the alerts the digest lists
 * link to their console pages, and, for a known `reader` (a contact, and the digest's composedAt),
 * to acknowledge links signed for that contact as alert emails' are (alerts/notify/consoleLinks.ts).
 */
export function digestRendering(
  config: Config,
): (language: 'zh-CN' | 'en', scope: string, reader?: { contactId: string; composedAt: string }) => RenderDigestOptions {
  const defs = figureDefs(config.rules);
  const catalogue = catalogueOf(config);
  const drawn = new Map<string, Buffer>();
  const ruleTitle = (rule: string, lang: 'zh-CN' | 'en') => {
    const title = catalogue.get(rule)?.title;
    return title === undefined ? undefined : titleIn(title, lang);
  };
  const { enabled, publicUrl } = config.console;
  const linksFor = (reader?: { contactId: string; composedAt: string }): RenderDigestOptions['links'] => {
    if (!enabled || publicUrl === undefined) return undefined;
    const signed = reader ? consoleLinks(config, reader.contactId, reader.composedAt) : null;
    return signed ?? ((alertId) => ({ view: alertViewLink(publicUrl, alertId) }));
  };
  return (language, scope, reader) => ({ language, defs, scope, ruleTitle, drawn, cjkFont: config.render.cjkFont, links: linksFor(reader) });
}

/** The outbox rows of the week's digests for `recipients` (rendered in each reader's language). */
export async function digestOutboxRows(
  conn: DuckDBConnection,
  config: Config,
  week: IsoWeek,
  recipients: readonly DigestRecipient[],
  now: Date,
): Promise<OutboxRow[]> {
  const optionsFor = digestRendering(config);
  const out: OutboxRow[] = [];
  for (const { recipient, digest } of await buildDigests(conn, config, week, recipients, now)) {
    const id = recipientOutboxId(week, recipient);
    const reader = { contactId: recipient.contact.id, composedAt: digest.composedAt };
    const rendered = await renderDigest(digest, optionsFor(recipient.contact.language, recipient.scope, reader));
    out.push({
      id,
      messageId: messageIdOf(id, config.notify.messageIdDomain),
      contactId: recipient.contact.id,
      address: recipient.contact.email,
      kind: 'digest',
      subject: rendered.subject,
      html: rendered.html,
      text: rendered.text,
      attachments: rendered.attachments,
      alertIds: [],
      createdAt: now.toISOString(),
    });
  }
  return out;
}

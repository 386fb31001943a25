/**
 * Routing, the first stage of notification: who receives an alert, as a pure function of the
 * alert and the configured contacts. The hierarchy is county -> city, as DHIS2 routes by org
 * unit: a violation goes to its own region's contacts and to the city's (410800), never to
 * another region's; data-health alerts (DQ-*, no region of their own) go to the data team.
 */
import type { Config, Contact } from '../../core/config.ts';
import { CITY_CODE } from '../../core/regions.ts';
import type { Severity } from '../rules.ts';

/** A contact an alert reaches, and the region whose contacts it was found under (null: the data team). */
export interface Recipient {
  contact: Contact;
  scopeRegion: string | null;
}

/** What routing looks at in an alert. */
export interface Routable {
  rule: string;
  region_code: string | null;
  severity: string;
}

const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

/** Whether an alert of `severity` reaches a contact whose least severity is `min` (info < warning < critical). */
export function meetsSeverity(severity: string, min: Severity): boolean {
  return (RANK[severity as Severity] ?? RANK.critical) >= RANK[min];
}

/** Whether a rule is a data-health rule (DQ-*): its alerts go to the data team. */
export const isDataHealth = (rule: string): boolean => rule.startsWith('DQ-');

/**
 * The contacts an alert reaches: a data-health alert the data team; any other its region's
 * contacts, then the city's (a city-level alert, or one of a region with no contacts, the city's
 * alone); each only if the alert is at least as severe as the contact's minSeverity. A contact
 * listed twice is one recipient, under the narrowest region.
 */
export function recipientsOf(alert: Routable, notify: Pick<Config['notify'], 'contacts' | 'dataTeam'>): Recipient[] {
  const lists: Array<[string | null, readonly Contact[]]> = isDataHealth(alert.rule)
    ? [[null, notify.dataTeam]]
    : [
        ...(alert.region_code && alert.region_code !== CITY_CODE ? [[alert.region_code, notify.contacts[alert.region_code] ?? []] as [string, Contact[]]] : []),
        [CITY_CODE, notify.contacts[CITY_CODE] ?? []],
      ];
  return dedupe(
    lists.flatMap(([scope, contacts]) => contacts.map((contact) => ({ contact, scopeRegion: scope }))),
    alert.severity,
  );
}

/**
 * The escalation contacts of an alert left unacknowledged too long: those responsible for its
 * region or for the city (410800: every region); for a data-health alert, the city's.
 */
export function escalationRecipientsOf(alert: Routable, notify: Pick<Config['notify'], 'escalation'>): Recipient[] {
  const region = isDataHealth(alert.rule) ? CITY_CODE : (alert.region_code ?? CITY_CODE);
  const reach = notify.escalation.filter((c) => c.region === CITY_CODE || c.region === region);
  return dedupe(
    reach.map(({ region: scope, ...contact }) => ({ contact, scopeRegion: scope })),
    alert.severity,
  );
}

function dedupe(recipients: Recipient[], severity: string): Recipient[] {
  const seen = new Set<string>();
  return recipients.filter((r) => {
    if (seen.has(r.contact.id) || !meetsSeverity(severity, r.contact.minSeverity)) return false;
    seen.add(r.contact.id);
    return true;
  });
}

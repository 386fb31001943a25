/**
 * Which links an email gives its alerts: none unless the console is on and has a public address
 * (console.enabled, console.publicUrl), else each alert's console page and an acknowledge link for
 * the email's recipient, valid console.linkTtlDays from the moment the email was composed. Taking
 * the expiry from that moment, not the clock, keeps an email the same whenever it is composed again
 * for the same round (outbox ids and the preview depend on it).
 */
import type { Config } from '../../core/config.ts';
import { resolveLinkKey } from '../../core/linkKey.ts';
import { type AlertLinks, alertLinks } from './alertLinks.ts';

/** Each config's link key, read once: a round composes many emails (core/linkKey.ts reads a file). */
const keys = new WeakMap<Config, string>();

/**
 * The links of each alert in an email to `contactId` composed at `composedAt` (ISO 8601), or null
 * when emails carry no links. Reads (or creates) the link key on first use for `config`; throws
 * what resolveLinkKey throws, and EdumonError for a composedAt that is no time.
 */
export function consoleLinks(config: Config, contactId: string, composedAt: string): ((alertId: string) => AlertLinks) | null {
  const { enabled, publicUrl, linkTtlDays } = config.console;
  if (!enabled || publicUrl === undefined) return null;
  let key = keys.get(config);
  if (key === undefined) {
    key = resolveLinkKey(config);
    keys.set(config, key);
  }
  const expiresAt = new Date(Date.parse(composedAt) + linkTtlDays * 86_400_000);
  const signingKey = key;
  return (alertId) => alertLinks(publicUrl, alertId, contactId, expiresAt, signingKey);
}

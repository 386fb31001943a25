/**
 * One notification round: read what the policy needs, decide (alerts/notify/policy.ts), compose
 * one email per contact (alerts/notify/render.ts) and write them to the outbox with what each
 * tells (outbox_notices: told once a server accepts it), all inside the caller's transaction. A rule sweep runs it as its step, over
 * its own rules, so the alert transitions and the emails they cause commit together; the service
 * runs it every 10 s over every rule for what falls due between sweeps (reminders, escalations,
 * the end of a mute window or a silence, alerts opened by a request or by the sender).
 */
import { createHash } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Config } from '../../core/config.ts';
import { regionName } from '../../core/regions.ts';
import { loadSilences } from '../alertStore.ts';
import type { ResultWords } from '../resultWords.ts';
import { loadRules, type Severity } from '../rules.ts';
import { runnerRules } from '../runnerRules.ts';
import type { AlertLinks } from './alertLinks.ts';
import { muteUntil } from './calendar.ts';
import { consoleLinks } from './consoleLinks.ts';
import type { EmailItem, EmailModel } from './model.ts';
import {
  loadNotifyCandidates,
  loadNotifyLog,
  loadQueuedNotices,
  loadSchoolNames,
  type OutboxNotice,
  type RuleScope,
  writeOutboxNotices,
} from './notifyStore.ts';
import { messageIdOf, type OutboxRow, writeOutbox } from './outbox.ts';
import { type ContactNotices, type Notice, planNotifications } from './policy.ts';
import { renderEmail } from './render.ts';

/** What a round did: emails written to the outbox, and notices held by a mute window or a silence. */
export interface RoundResult {
  emails: number;
  notices: number;
  held: number;
}

/**
 * Runs one round as of `now` over the alerts of `rules` (null: every rule) inside the caller's
 * transaction. Returns what it wrote; throws what the warehouse throws (the caller's transaction
 * then rolls back, the alert transitions with it).
 */
export async function notifyRound(conn: DuckDBConnection, config: Config, rules: RuleScope, now: Date): Promise<RoundResult> {
  const iso = now.toISOString();
  const alerts = await loadNotifyCandidates(conn, rules, iso);
  if (!alerts.length) return { emails: 0, notices: 0, held: 0 };
  const decision = planNotifications({
    now: now.getTime(),
    alerts,
    log: await loadNotifyLog(conn, rules),
    queued: await loadQueuedNotices(conn, rules),
    notify: config.notify,
    silences: await loadSilences(conn),
    mute: muteUntil(now.getTime(), config.notify),
  });
  if (!decision.emails.length) return { emails: 0, notices: 0, held: decision.held.length };
  const schools = new Set(decision.emails.flatMap((e) => e.notices.map((n) => n.alert.school_id).filter((s): s is string => s !== null)));
  const names = await loadSchoolNames(conn, [...schools]);
  const rows = decision.emails.map((e) => outboxRowOf(e, names, config, iso));
  await writeOutbox(conn, rows);
  await writeOutboxNotices(
    conn,
    decision.emails.flatMap((e, i) => e.notices.map((n) => noticeOf(rows[i]!.id, e.contact.id, n))),
  );
  return { emails: rows.length, notices: decision.log.length, held: decision.held.length };
}

/** What one email tells its contact of one alert, to record as told when a server accepts it. */
function noticeOf(outboxId: string, contactId: string, n: ContactNotices['notices'][number]): OutboxNotice {
  return {
    outboxId,
    alertId: n.alert.id,
    contactId,
    occurrence: n.alert.occurrence,
    status: n.alert.status,
    kind: n.kind,
    escalated: n.kind === 'escalate',
  };
}

/** A rule's title in one language: the header's `中文 / English` split at its last ` / ` before Latin text. */
export function titleIn(title: string, language: 'zh-CN' | 'en'): string {
  const m = /^(.*?) \/ ([A-Za-z].*)$/.exec(title);
  if (!m) return title;
  return language === 'en' ? m[2]! : m[1]!;
}

/** The catalogue's rules and the runner-raised ones, by id: title, severity, the clause each enforces and how it says a result. */
export type Catalogue = Map<string, { title: string; severity: Severity; policy: string; says: ResultWords }>;
/** Each config's rule catalogue, built once: a round of many emails reads it for each. */
const catalogues = new WeakMap<Config, Catalogue>();

/** Every rule a config runs (sql/rules/ and the runner's own), by id: its `中文 / English` title, severity, policy clause and result words; built once per config. */
export function catalogueOf(config: Config): Catalogue {
  let catalogue = catalogues.get(config);
  if (!catalogue) {
    const all = [...loadRules(), ...runnerRules(config.rules, config.notify)];
    catalogue = new Map(all.map((r) => [r.id, { title: r.title, severity: r.severity, policy: r.policy, says: r.says }]));
    catalogues.set(config, catalogue);
  }
  return catalogue;
}

/**
 * One alert as an email item in `language`: its rule's title, severity, clause and result words
 * from `catalogue` (an alert of a rule no longer there keeps its id and shows its values as stored),
 * its school's name from `schoolNames`, its console links from `linksOf` (null: none,
 * alerts/notify/consoleLinks.ts). What every alert email, and the README's sample, is made of.
 */
export function emailItemOf(
  { kind, alert, flapCount }: Pick<Notice, 'kind' | 'alert' | 'flapCount'>,
  catalogue: Catalogue,
  schoolNames: ReadonlyMap<string, string>,
  language: 'zh-CN' | 'en',
  linksOf: ((alertId: string) => AlertLinks) | null,
): EmailItem {
  const rule = catalogue.get(alert.rule);
  const eventId = alert.details.event_id;
  return {
    alertId: alert.id,
    kind,
    rule: alert.rule,
    ruleTitle: rule ? titleIn(rule.title, language) : alert.rule,
    severity: (alert.severity as Severity) ?? rule?.severity ?? 'critical',
    policy: rule?.policy ?? '',
    says: rule?.says ?? null,
    schoolCode: alert.school_id,
    schoolName: alert.school_id ? (schoolNames.get(alert.school_id) ?? null) : null,
    regionCode: alert.region_code,
    regionName: alert.region_code ? regionName(alert.region_code, language) : null,
    period: alert.period,
    subject: alert.subject,
    observed: alert.observed,
    threshold: alert.threshold,
    firstSeen: alert.opened_at,
    resolvedAt: alert.resolved_at,
    eventId: typeof eventId === 'string' ? eventId : null,
    occurrence: alert.occurrence,
    flapCount,
    acknowledged: alert.acked_at !== null,
    links: linksOf ? linksOf(alert.id) : null,
  };
}

/**
 * One contact's notices as an email model composed at `iso` (with what the warehouse knows of the
 * schools, and each alert's console links when the console has a public address), rendered into an
 * outbox row.
 */
export function outboxRowOf(e: ContactNotices, schoolNames: ReadonlyMap<string, string>, config: Config, iso: string): OutboxRow {
  const catalogue = catalogueOf(config);
  const linksOf = consoleLinks(config, e.contact.id, iso);
  const items = e.notices.map((n) => emailItemOf(n, catalogue, schoolNames, e.contact.language, linksOf));
  // Deterministic: the same notices to the same contact at the same moment are the same email.
  const id = createHash('sha256')
    .update([e.contact.id, iso, ...items.map((i) => `${i.alertId}:${i.occurrence}:${i.kind}`)].join('\n'))
    .digest('hex')
    .slice(0, 32);
  const model: EmailModel = { id, recipient: e.contact, scopeRegion: e.scopeRegion, items, composedAt: iso, maxItemsInBody: config.notify.maxAlertsInBody };
  const rendered = renderEmail(model);
  return {
    id,
    messageId: messageIdOf(id, config.notify.messageIdDomain),
    contactId: e.contact.id,
    address: e.contact.email,
    kind: 'alerts',
    subject: rendered.subject,
    html: rendered.html,
    text: rendered.text,
    attachments: rendered.attachments,
    alertIds: items.map((i) => i.alertId),
    createdAt: iso,
  };
}

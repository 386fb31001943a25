/**
 * The alert lifecycle, as a pure function of the previous alert states of one rule, the rows of
 * its latest successful run, and the moment of that run (docs/rules.md: a violation's identity is
 * rule + school_id + region_code + period + subject; one that no longer appears is resolved; a
 * resolved one that appears again is a new occurrence of the same alert).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { identityOf, type Violation, type ViolationKey, violationKeySchema } from '../domain/violation.ts';

/** An alert as the lifecycle keeps it (a row of the alerts table, without the operator's ack); times ISO 8601 UTC. */
export const alertSchema = violationKeySchema.extend({
  id: z.string(),
  severity: z.string(),
  status: z.enum(['open', 'resolved']),
  /** 1 for the first time it opened; +1 each time it reopens after being resolved. */
  occurrence: z.number().int(),
  opened_at: z.string(),
  last_seen_at: z.string(),
  resolved_at: z.string().nullable(),
  observed: z.string().nullable(),
  threshold: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});
export type Alert = z.infer<typeof alertSchema>;
export type AlertStatus = Alert['status'];

/** What the lifecycle needs of an alert between runs. */
export type AlertState = Pick<Alert, keyof ViolationKey | 'id' | 'status' | 'occurrence' | 'opened_at' | 'last_seen_at' | 'resolved_at'>;

export type Transition =
  | { kind: 'open'; violation: Violation; at: string }
  | { kind: 'still_open'; id: string; violation: Violation; at: string }
  | { kind: 'reopen'; id: string; occurrence: number; violation: Violation; at: string }
  | { kind: 'resolve'; id: string; at: string };

/** A change of an alert's state made by a run, with the alert as it is afterwards: what notification reads. */
export interface AlertTransition {
  kind: 'open' | 'reopen' | 'resolve';
  at: string;
  alert: Alert;
}

/** A short, stable id for an alert: the same identity always gets the same id. */
export function alertIdOf(k: ViolationKey): string {
  return createHash('sha256').update(identityOf(k)).digest('hex').slice(0, 16);
}

/** A measured value or limit as the alerts table keeps it (text: a rule may return a number or a word). */
export function alertText(v: unknown): string | null {
  return v === null || v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * Transitions for one rule after a successful run at `at`: new identities open, open ones still
 * present are seen again, open ones absent are resolved, resolved ones present reopen.
 * Duplicate rows of one identity count once (the first wins). A failed run must not be passed
 * here: absence from a failed run proves nothing.
 */
export function evaluate(previous: readonly AlertState[], rows: readonly Violation[], at: string): Transition[] {
  const known = new Map(previous.map((a) => [identityOf(a), a]));
  const present = new Set<string>();
  const out: Transition[] = [];
  for (const v of rows) {
    const id = identityOf(v);
    if (present.has(id)) continue;
    present.add(id);
    const prior = known.get(id);
    if (!prior) out.push({ kind: 'open', violation: v, at });
    else if (prior.status === 'open') out.push({ kind: 'still_open', id: prior.id, violation: v, at });
    else out.push({ kind: 'reopen', id: prior.id, occurrence: prior.occurrence + 1, violation: v, at });
  }
  for (const [id, a] of known) {
    if (a.status === 'open' && !present.has(id)) out.push({ kind: 'resolve', id: a.id, at });
  }
  return out;
}

/**
 * The alerts as `transitions` leave them: the opened, reopened and resolved ones (seen-again
 * ones change no state). `previous` are the alerts the transitions were evaluated against;
 * `severity` is the rule's, given to alerts it opens (a reopened alert keeps its own).
 */
export function transitionsMade(previous: readonly Alert[], transitions: readonly Transition[], severity: string): AlertTransition[] {
  const byId = new Map(previous.map((a) => [a.id, a]));
  const out: AlertTransition[] = [];
  for (const t of transitions) {
    const at = new Date(t.at).toISOString();
    if (t.kind === 'still_open') continue;
    if (t.kind === 'resolve') {
      const prior = byId.get(t.id);
      if (prior) out.push({ kind: 'resolve', at, alert: { ...prior, status: 'resolved', resolved_at: at } });
      continue;
    }
    const v = t.violation;
    const reopened = t.kind === 'reopen' ? byId.get(t.id) : undefined;
    const alert: Alert = {
      id: t.kind === 'open' ? alertIdOf(v) : t.id,
      rule: v.rule,
      school_id: v.school_id,
      region_code: v.region_code,
      period: v.period,
      subject: v.subject,
      severity: reopened?.severity ?? severity,
      status: 'open',
      occurrence: t.kind === 'open' ? 1 : t.occurrence,
      opened_at: at,
      last_seen_at: at,
      resolved_at: null,
      observed: alertText(v.observed),
      threshold: alertText(v.threshold),
      details: v.details,
    };
    out.push({ kind: t.kind, at, alert });
  }
  return out;
}

/**
 * The alert lifecycle, as a pure function of the previous alert states of one rule, the rows of
 * its latest successful run, and the moment of that run (docs/rules.md: a violation's identity is
 * rule + school_id + region_code + period + subject; one that no longer appears is resolved; a
 * resolved one that appears again is a new occurrence of the same alert).
 */

/** The five fields that name a violation, stable from run to run. */
export interface ViolationKey {
  rule: string;
  school_id: string | null;
  region_code: string | null;
  period: string;
  subject: string | null;
}

/** One row of a rule's result. */
export interface Violation extends ViolationKey {
  observed: unknown;
  threshold: unknown;
  details: unknown;
}

export type AlertStatus = 'open' | 'resolved';

/** What the warehouse keeps of an alert between runs. */
export interface AlertState extends ViolationKey {
  id: string;
  status: AlertStatus;
  /** 1 for the first time it opened; +1 each time it reopens after being resolved. */
  occurrence: number;
  opened_at: string;
  last_seen_at: string;
  resolved_at: string | null;
}

export type Transition =
  | { kind: 'open'; violation: Violation; at: string }
  | { kind: 'still_open'; id: string; violation: Violation; at: string }
  | { kind: 'reopen'; id: string; occurrence: number; violation: Violation; at: string }
  | { kind: 'resolve'; id: string; at: string };

/** The identity of a violation as one string (the same for the same five fields). */
export function identityOf(k: ViolationKey): string {
  return JSON.stringify([k.rule, k.school_id, k.region_code, k.period, k.subject]);
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

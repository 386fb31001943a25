/**
 * The storm valve (DQ-ALERT-STORM), as pure functions of a run's transitions, what was held
 * before and the configured bound. A run of one rule that would open more alerts than
 * `stormMaxOpens`, and more than `stormMaxShare` of the violations it found, holds the new ones
 * back and raises one DQ-ALERT-STORM naming the rule; the rule's next run lets through those it
 * finds again (new ones beyond the bound are held again), and `edumon alerts release` lets them
 * all through. Held alerts are no transitions: nothing opened, nothing to notify.
 *
 * The share's denominator is the violations the run found (distinct identities: what the rule's
 * open alerts would be afterwards). It needs no per-rule population query, is measured in the
 * same snapshot, and says how much of what the rule finds is news: a genuine trickle adds a small
 * share to what is standing, a feed not yet complete makes nearly all of it new at once. On a
 * first run everything is new (share 1), and the count alone decides: 300 true admissions pass
 * the default 1,000, 300,000 wage gaps do not.
 */
import type { Config } from '../core/config.ts';
import { shanghaiDate } from '../core/shanghai.ts';
import { identityOf, type Violation } from '../domain/violation.ts';
import type { Transition } from './evaluate.ts';

export const ALERT_STORM = 'DQ-ALERT-STORM';
/** A storm alert's severity: a rule's alerts are held, someone must confirm or release them. */
export const ALERT_STORM_SEVERITY = 'critical';

/** The configured bound. */
export interface StormBound {
  maxOpens: number;
  maxShare: number;
}

export function stormBound(rules: Pick<Config['rules'], 'stormMaxOpens' | 'stormMaxShare'>): StormBound {
  return { maxOpens: rules.stormMaxOpens, maxShare: rules.stormMaxShare };
}

/** Whether opening `opens` alerts out of `found` violations is a storm: over the bound by count and by share. */
export function isStorm(opens: number, found: number, bound: StormBound): boolean {
  return opens > bound.maxOpens && opens / Math.max(found, 1) > bound.maxShare;
}

/** What the valve did with one rule's run (reported by `rules run`, dry or not). */
export interface StormReport {
  rule: string;
  /** New alerts held back by this run. */
  held: number;
  /** Alerts held by the previous run found again, and so opened. */
  confirmed: number;
  /** Violations (distinct identities) the run found: the share's denominator. */
  found: number;
  /** New opens over found (confirmed ones not counted). */
  share: number;
}

/** A run's transitions as the valve leaves them: those applied, the violations held back, and its report. */
export interface Valve {
  pass: Transition[];
  hold: Violation[];
  /** Set when the valve held or confirmed anything, or a storm ended. */
  report?: StormReport;
}

/**
 * Splits the transitions of one rule's successful run. Opens and reopens of identities in `held`
 * (held by the previous run) are confirmed and pass; the others are new, and are held back when
 * they are a storm (isStorm). Seen-again and resolve transitions always pass.
 */
export function holdBack(rule: string, transitions: readonly Transition[], held: ReadonlySet<string>, bound: StormBound): Valve {
  const pass: Transition[] = [];
  const fresh: (Transition & { kind: 'open' | 'reopen' })[] = [];
  let found = 0;
  let confirmed = 0;
  for (const t of transitions) {
    if (t.kind !== 'resolve') found++;
    if ((t.kind === 'open' || t.kind === 'reopen') && !held.has(identityOf(t.violation))) fresh.push(t);
    else {
      if (t.kind === 'open' || t.kind === 'reopen') confirmed++;
      pass.push(t);
    }
  }
  const share = fresh.length / Math.max(found, 1);
  const storm = isStorm(fresh.length, found, bound);
  const report = storm || confirmed > 0 || held.size > 0 ? { rule, held: storm ? fresh.length : 0, confirmed, found, share } : undefined;
  return storm
    ? { pass, hold: fresh.map((t) => t.violation), ...(report ? { report } : {}) }
    : { pass: [...transitions], hold: [], ...(report ? { report } : {}) };
}

/** The DQ-ALERT-STORM violation for a rule whose run held `report.held` alerts as of `asOf` (its Shanghai date is the period). */
export function stormViolation(report: StormReport, bound: StormBound, asOf: string): Violation {
  return {
    rule: ALERT_STORM,
    school_id: null,
    region_code: null,
    period: shanghaiDate(asOf),
    subject: report.rule,
    observed: report.held,
    threshold: bound.maxOpens,
    details: {
      held: report.held,
      found: report.found,
      share: Math.round(report.share * 10_000) / 10_000,
      max_opens: bound.maxOpens,
      max_share: bound.maxShare,
    },
  };
}

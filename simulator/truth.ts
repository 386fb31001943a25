/**
 * The ground truth: every violation the rules must find as of the end of the span, as
 * {rule, school_id, region_code, period, subject} with people named by their pseudonym. Per-payment
 * violations are recorded by the timelines as they inject them; everything else is computed here
 * from the world with exactly the semantics docs/SIMULATOR.md gives for each rule.
 */

import type { ViolationKey } from '../domain/violation.ts';
import type { Pseudonymize } from '../ingest/pseudonymize.ts';

export interface CorruptCounts {
  malformed: number;
  by_kind: Record<string, number>;
  duplicates: number;
}

/** Collects truth entries; personal subjects are pseudonymised on the way in. */
export class Truth {
  private readonly entries = new Map<string, ViolationKey>();

  constructor(readonly pseudonym: Pseudonymize) {}

  add(rule: string, schoolId: string | null, regionCode: string | null, period: string, subject: string | null = null): void {
    const e: ViolationKey = { rule, school_id: schoolId, region_code: regionCode, period, subject };
    this.entries.set(JSON.stringify(e), e);
  }

  /** An entry whose subject is a student or staff member (their raw id, pseudonymised here). */
  addPerson(rule: string, schoolId: string | null, regionCode: string | null, period: string, rawId: string): void {
    this.add(rule, schoolId, regionCode, period, this.pseudonym(rawId));
  }

  /** Every entry, in a stable order. */
  list(): ViolationKey[] {
    const key = (e: ViolationKey) => [e.rule, e.region_code ?? '', e.school_id ?? '', e.period, e.subject ?? ''].join('\u0000');
    return [...this.entries.values()].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  }
}

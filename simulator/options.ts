/** What a simulation run is asked for: seed, scale, span, violation rates, corruption. */
import { UsageError } from '../core/errors.ts';
import { at, DAY, parseDate } from './time.ts';

/**
 * How often each rule's violation is injected. Entity rates are the share of eligible entities
 * (at least one is picked whenever the rate is above 0); staff-month rates are per required
 * monthly payment; student rates are per admitted high-school / vocational seat.
 */
export interface ViolationRates {
  crossRegion: number;
  overQuota: number;
  noPlan: number;
  outOfWindow: number;
  earlyPrivateWindow: number;
  duplicate: number;
  offPlatform: number;
  classSize: number;
  schoolSize: number;
  wageMissing: number;
  wageShort: number;
  wageLate: number;
  insuranceMissing: number;
  publicAtPrivate: number;
  poached: number;
  teacherRatio: number;
  townshipCentral: number;
  facility: number;
  unlicensed: number;
  tuition: number;
  hsTeachers: number;
  hsFunds: number;
  researcher: number;
  unknownSchool: number;
  /** Admission-platform outages of 45 minutes inside the season (a count, not a rate). */
  staleFeedGaps: number;
}

export const defaultRates: ViolationRates = {
  crossRegion: 0.001,
  overQuota: 0.05,
  noPlan: 0.02,
  outOfWindow: 0.0005,
  earlyPrivateWindow: 0.1,
  duplicate: 0.0005,
  offPlatform: 0.0005,
  classSize: 0.01,
  schoolSize: 0.02,
  wageMissing: 0.0002,
  wageShort: 0.0002,
  wageLate: 0.0002,
  insuranceMissing: 0.0002,
  publicAtPrivate: 0.001,
  poached: 0.003,
  teacherRatio: 0.03,
  townshipCentral: 0.03,
  facility: 0.02,
  unlicensed: 0.01,
  tuition: 0.1,
  hsTeachers: 0.05,
  hsFunds: 0.05,
  researcher: 0.1,
  unknownSchool: 0.004,
  staleFeedGaps: 1,
};

export interface SimulateOptions {
  seed: number;
  scale: number;
  /** First and last day of the span, `YYYY-MM-DD`, Asia/Shanghai. */
  from: string;
  to: string;
  /** Share of extra malformed messages and, separately, of duplicate deliveries (0 = none). */
  corrupt: number;
  rates: ViolationRates;
  /** Admission types that ADM-CROSS-REGION skips (the rule's config; none by default). */
  exemptAdmissionTypes: string[];
  /** The admission season for DQ-STALE-FEED, `MM-DD` to `MM-DD` inclusive, Asia/Shanghai. */
  season: { from: string; to: string };
}

export const defaultOptions: SimulateOptions = {
  seed: 1,
  scale: 1,
  from: '2025-01-01',
  to: '2025-12-31',
  corrupt: 0,
  rates: defaultRates,
  exemptAdmissionTypes: [],
  season: { from: '06-15', to: '08-31' },
};

/** The span as moments: `start` is the first second, `asOf` the last (23:59:59 of `to`). */
export interface Span {
  start: number;
  asOf: number;
}

/** Checks the options and returns the span; throws a usage error naming every problem. */
export function checkOptions(o: SimulateOptions): Span {
  const problems: string[] = [];
  if (!Number.isInteger(o.seed) || o.seed < 0 || o.seed > 2 ** 32 - 1) problems.push(`--seed must be an integer from 0 to 4294967295, got ${o.seed}`);
  if (!(o.scale >= 0.05 && o.scale <= 30)) problems.push(`--scale must be a number from 0.05 to 30, got ${o.scale}`);
  if (!(o.corrupt >= 0 && o.corrupt <= 0.5)) problems.push(`--corrupt must be a rate from 0 to 0.5, got ${o.corrupt}`);
  const from = parseDate(o.from);
  const to = parseDate(o.to);
  if (!from) problems.push(`--from must be a date YYYY-MM-DD, got '${o.from}'`);
  if (!to) problems.push(`--to must be a date YYYY-MM-DD, got '${o.to}'`);
  for (const [k, v] of Object.entries(o.rates)) if (!(v >= 0 && v <= 1000)) problems.push(`rate ${k} must be >= 0, got ${v}`);
  let span: Span | undefined;
  if (from && to) {
    span = { start: at(from.year, from.month, from.day), asOf: at(to.year, to.month, to.day) + DAY - 1 };
    if (span.asOf - span.start < 28 * DAY) problems.push(`the span ${o.from}..${o.to} must be at least 28 days`);
    if (from.year < 2023 || to.year > 2035) problems.push('the span must lie within 2023-2035');
  }
  if (problems.length > 0 || !span) throw new UsageError(`simulate: ${problems.join('; ')}`);
  return span;
}

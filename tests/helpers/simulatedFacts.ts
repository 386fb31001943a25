/**
 * The simulator's year as plain TypeScript facts, read straight from its JSON Lines
 * ({registry,admission,enrollment,funding}.jsonl), never from a warehouse: an independent account
 * of what the analysts' examples (sql/examples/) should answer. The semantics are those of
 * docs/SIMULATOR.md ("Common definitions"). Raw student and staff ids stay in these maps, in
 * memory: a check compares counts, sums and codes, never prints a person's id.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { families } from '../../domain/topics.ts';

type Raw = Record<string, unknown> & { event_id: string; occurred_at: string; type: string };

export interface SchoolFact {
  school_id: string;
  name: string;
  level: string;
  ownership: string;
  region_code: string;
  township_code?: string;
  status: string;
  puhui?: boolean;
  township_central?: boolean;
}
export interface StaffVersion {
  at: number;
  event_id: string;
  staff_id: string;
  school_id?: string;
  role: string;
  employment: string;
  active: boolean;
}
export interface NetAdmission {
  school_id: string;
  year: number;
  at: number;
  home_region_code: string;
}
export interface ActiveEnrollment {
  school_id: string;
  year: number;
  grade: number;
  class_id: string;
}

export interface SimulatedFacts {
  schools: Map<string, SchoolFact>;
  townships: Map<string, { township_code: string; region_code: string; name: string; population: number }>;
  /** Population reports by `region_code/year`: the latest of each. */
  population: Map<string, { age_3_5: number }>;
  /** Latest plan by `school_id/year`. */
  plans: Map<string, { plan_quota: number; opens: number; closes: number }>;
  /** Every staff member's versions, oldest first; `latestStaff` the current one of each. */
  staffVersions: Map<string, StaffVersion[]>;
  latestStaff: StaffVersion[];
  netAdmissions: NetAdmission[];
  activeEnrollments: ActiveEnrollment[];
  /** Active students per school (all grades). */
  students: Map<string, number>;
  /** per_student_public_funds disbursed, yuan, by `school_id/fiscal_year`. */
  perStudentFunds: Map<string, number>;
}

const ms = (e: Raw) => Date.parse(e.occurred_at);
/** Newer of two versions: later occurred_at, then greater event_id (the current_* views' order). */
const newer = (a: Raw, b: Raw) => ms(a) > ms(b) || (ms(a) === ms(b) && a.event_id > b.event_id);

/** Reads the four files of `dir` as of `asOf` (ms): only events that occurred by then count. */
export function simulatedFacts(dir: string, asOf: number): SimulatedFacts {
  const byType = new Map<string, Raw[]>();
  for (const family of families) {
    for (const line of readFileSync(join(dir, `${family}.jsonl`), 'utf8').split('\n')) {
      if (!line) continue;
      const e = JSON.parse(line) as Raw;
      if (ms(e) > asOf) continue;
      const list = byType.get(e.type) ?? [];
      list.push(e);
      byType.set(e.type, list);
    }
  }
  const of = (type: string) => byType.get(type) ?? [];
  const latest = (type: string, key: (e: Raw) => string) => {
    const out = new Map<string, Raw>();
    for (const e of of(type)) {
      const k = key(e);
      const seen = out.get(k);
      if (!seen || newer(e, seen)) out.set(k, e);
    }
    return out;
  };

  const schools = new Map([...latest('school.upserted', (e) => String(e.school_id))].map(([k, e]) => [k, e as unknown as SchoolFact]));
  const townships = new Map(
    [...latest('township.upserted', (e) => String(e.township_code))].map(([k, e]) => [
      k,
      { township_code: k, region_code: String(e.region_code), name: String(e.name), population: Number(e.population) },
    ]),
  );
  const population = new Map([...latest('population.reported', (e) => `${e.region_code}/${e.year}`)].map(([k, e]) => [k, { age_3_5: Number(e.age_3_5) }]));
  const plans = new Map(
    [...latest('admission_plan.published', (e) => `${e.school_id}/${e.year}`)].map(([k, e]) => [
      k,
      { plan_quota: Number(e.plan_quota), opens: Date.parse(String(e.window_opens_at)), closes: Date.parse(String(e.window_closes_at)) },
    ]),
  );

  const staffVersions = new Map<string, StaffVersion[]>();
  for (const e of of('staff.upserted')) {
    const v: StaffVersion = {
      at: ms(e),
      event_id: e.event_id,
      staff_id: String(e.staff_id),
      ...(e.school_id === undefined ? {} : { school_id: String(e.school_id) }),
      role: String(e.role),
      employment: String(e.employment),
      active: e.active === true,
    };
    const list = staffVersions.get(v.staff_id) ?? [];
    list.push(v);
    staffVersions.set(v.staff_id, list);
  }
  for (const list of staffVersions.values()) list.sort((a, b) => a.at - b.at || (a.event_id < b.event_id ? -1 : 1));
  const latestStaff = [...staffVersions.values()].map((l) => l[l.length - 1]!);

  // Net admissions: (school, student, year) admitted more often than cancelled; the admitted event's time and home.
  const admitted = new Map<string, { n: number; first: Raw }>();
  for (const e of of('admission.admitted')) {
    const k = `${e.school_id}/${e.student_id}/${e.year}`;
    const seen = admitted.get(k);
    if (!seen) admitted.set(k, { n: 1, first: e });
    else {
      seen.n++;
      if (ms(e) < ms(seen.first)) seen.first = e;
    }
  }
  const cancelled = new Map<string, number>();
  for (const e of of('admission.cancelled')) {
    const k = `${e.school_id}/${e.student_id}/${e.year}`;
    cancelled.set(k, (cancelled.get(k) ?? 0) + 1);
  }
  const netAdmissions: NetAdmission[] = [];
  for (const [k, { n, first }] of admitted) {
    if (n <= (cancelled.get(k) ?? 0)) continue;
    netAdmissions.push({ school_id: String(first.school_id), year: Number(first.year), at: ms(first), home_region_code: String(first.home_region_code) });
  }

  // Active: enrolled at a school with no departure from it at or after the enrollment.
  const lastLeft = new Map<string, number>();
  for (const e of of('enrollment.left')) {
    const k = `${e.school_id}/${e.student_id}`;
    lastLeft.set(k, Math.max(lastLeft.get(k) ?? -Infinity, ms(e)));
  }
  const activeEnrollments: ActiveEnrollment[] = [];
  const students = new Map<string, number>();
  for (const e of of('enrollment.enrolled')) {
    const left = lastLeft.get(`${e.school_id}/${e.student_id}`);
    if (left !== undefined && left >= ms(e)) continue;
    const school_id = String(e.school_id);
    activeEnrollments.push({ school_id, year: Number(e.year), grade: Number(e.grade), class_id: String(e.class_id) });
    students.set(school_id, (students.get(school_id) ?? 0) + 1);
  }

  const perStudentFunds = new Map<string, number>();
  for (const e of of('funds.disbursed')) {
    if (e.fund_type !== 'per_student_public_funds') continue;
    const k = `${e.school_id}/${e.fiscal_year}`;
    // In fen, so that the sum is exact.
    perStudentFunds.set(k, (perStudentFunds.get(k) ?? 0) + Math.round(Number(e.amount_yuan) * 100));
  }
  for (const [k, fen] of perStudentFunds) perStudentFunds.set(k, fen / 100);

  return { schools, townships, population, plans, staffVersions, latestStaff, netAdmissions, activeEnrollments, students, perStudentFunds };
}

/**
 * The simulated world: Jiaozuo's regions, townships, schools with their cohorts and classes,
 * staff plans and the violations injected into them. It is a plan, not a list of events: it holds
 * numbers (class sizes, counts, flags), and students and staff are derived from it on demand, so
 * the world stays small at any scale while the timelines stream the events.
 */
import { type Rng, rngOf } from '../core/rng.ts';
import type { AdmissionType, ContractEvent, Employment, Ownership, SchoolLevel } from '../domain/contract.ts';
import { brandNames, jiaozuo, placeNames, type RegionProfile } from './jiaozuo.ts';
import type { SimulateOptions, Span } from './options.ts';
import { academicYear, at, localParts } from './time.ts';

/** The contract's value sets, under the names the simulator uses. */
export type { AdmissionType };
export type Level = SchoolLevel;

export interface Township {
  code: string;
  regionCode: string;
  name: string;
  population: number;
}

export interface Region extends RegionProfile {
  townshipList: Township[];
  /** Bureau preschool researchers: when each joins and (maybe) leaves. */
  researchers: Array<{ id: string; joinAt: number; leaveAt?: number }>;
}

/** One intake year of a school: its classes, and how many of each class withdraw in the span. */
export interface Cohort {
  year: number;
  classes: number[];
  withdrawals: number[];
  /** First student counter of this cohort among its school's region and intake year. */
  idBase: number;
}

/** Something special about one seat of a class (`year:class:seat`). */
export interface SeatFlag {
  /** Enrolled without any admission on the platform (ADM-OFF-PLATFORM). */
  offPlatform?: boolean;
  /** Enrolled so close to the end of the span that the grace period has not run out. */
  enrollAt?: number;
  /** Admitted from outside the school's zone (ADM-CROSS-REGION). */
  home?: string;
  admissionType?: AdmissionType;
  /** Where in (or outside) the window the admission happens. */
  window?: 'before' | 'after' | 'atOpen' | 'atClose';
  /** Also admitted at another school (ADM-DUPLICATE): that school's index. */
  duplicateAt?: number;
}

/** An admission of a student who is not one of this school's seats. */
export interface ExtraAdmission {
  year: number;
  studentId: string;
  home: string;
  admissionType: AdmissionType;
  cancelled: boolean;
  /** ADM-DUPLICATE: the seat's school that also admitted this student. */
  duplicateOf?: number;
}

export interface School {
  index: number;
  id: string;
  name: string;
  level: Level;
  ownership: Ownership;
  regionCode: string;
  urban: boolean;
  townshipCode: string;
  licensed: boolean;
  capacity: number;
  puhui?: boolean;
  nonprofit?: boolean;
  townshipCentral?: boolean;
  builtYear?: number;
  outdoor?: number;
  activity?: number;
  building?: number;
  openedYear?: number;
  tuition?: number;
  /** A later tuition (registry update in August). */
  tuitionUpdate?: number;
  cost?: number;
  cohorts: Cohort[];
  /** Moment the school closes (all children leave a few days before). */
  closedAt?: number;
  /** Capacity after an August expansion. */
  capacityUpdate?: number;
  /** Staff: how many of each kind at the start, first payroll counter, and payroll size. */
  staffPlan: { teachers: number; caregivers: number; other: number; publicPostShare: number; noTurnover: boolean };
  staffBase: number;
  staffSlots: number;
  /** Per-student per-quarter public funds (yuan). */
  fundsPerQuarter: number;
  /** Day of the pay cycle: 0 = 25th of the month ... 14 = 8th of the next. */
  payday: number;
  /** Admission plan per intake year; absent for a school that admits without one. */
  plans: Map<number, { quota: number; opensAt: number; closesAt: number }>;
  noPlan: boolean;
  quotaMode: 'fill' | 'exact' | 'over';
  earlyWindow: boolean;
  seats: Map<string, SeatFlag>;
  extras: ExtraAdmission[];
  /** Withdrawals are forbidden (near-miss schools whose counts must be exact). */
  steady: boolean;
  /** Staffing and facility set on purpose: short of the floor, or exactly on it. */
  tweak: { teachers?: 'short' | 'exact'; area?: { kind: AreaKind; mode: 'short' | 'exact' } };
}

export type AreaKind = 'outdoor' | 'activity' | 'building';
/** 生均 floors of KG-FACILITY, m² per child. */
export const areaFloors: Record<AreaKind, number> = { outdoor: 4, activity: 8.17, building: 10.44 };

export interface World {
  options: SimulateOptions;
  span: Span;
  /** Intake years whose July-September (plans, admissions, graduation, enrollment) lie in the span. */
  seasonYears: number[];
  regions: Region[];
  schools: School[];
  /** Staff moves and payments injected across schools (STAFF-*). */
  staffEvents: StaffInjection[];
  /** Unknown school codes that events mention (DQ-UNKNOWN-SCHOOL), with the moment of the first. */
  unknownSchools: Array<{ id: string; at: number }>;
  /** Admission-platform outages [from, to) (DQ-STALE-FEED), and one that stays under 30 minutes. */
  outages: Array<[number, number]>;
  /** Next free counter per student id space (`region:group:year`). */
  studentCounters: Map<string, number>;
}

export type StaffInjection =
  | { kind: 'move'; school: number; local: number; versions: Array<{ at: number; school: number | null; active: boolean; employment?: Employment }> }
  | { kind: 'paid-by'; school: number; local: number; payer: number; month: number; at: number };

/** Student-id counters reserve this many ids per class, so class sizes may change afterwards. */
export const ID_SLOTS = { kindergarten: 36, high_school: 64, vocational: 64 } as const;

/** Seat key of a class seat. */
export const seatKey = (year: number, cls: number, seat: number) => `${year}:${cls}:${seat}`;

/** Seats from this index on may withdraw (flags are only put on seats before it). */
export const withdrawFrom = (level: Level) => (level === 'kindergarten' ? 15 : 40);

export const countFor = (rate: number, n: number) => (rate <= 0 || n <= 0 ? 0 : Math.min(n, Math.max(1, Math.round(rate * n))));

/** Picks k distinct items, deterministically. */
export function pickSome<T>(r: Rng, items: readonly T[], k: number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = r.int(0, i);
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, k);
}

/** Years whose 1 July - 30 September lie inside the span. */
export function seasonYearsOf(span: Span): number[] {
  const out: number[] = [];
  const first = localParts(span.start).year;
  const last = localParts(span.asOf).year;
  for (let y = first; y <= last; y++) if (at(y, 7, 1) >= span.start && at(y, 9, 30, 23, 59, 59) <= span.asOf) out.push(y);
  return out;
}

/** Intake years on the rolls at some point of the span: three at the start, then each season's. */
export function intakeYearsOf(span: Span, seasons: number[]): number[] {
  const ay = academicYear(span.start);
  const years = [ay - 2, ay - 1, ay];
  for (const y of seasons) if (!years.includes(y)) years.push(y);
  return years;
}

/** Moment a cohort graduates (early July of its fourth year), or null if not inside the span. */
export function graduationOf(world: World, school: School, cohortYear: number): number | null {
  const y = cohortYear + 3;
  if (!world.seasonYears.includes(y)) return null;
  return at(y, 7, school.level === 'kindergarten' ? 10 : 5, 10);
}

/** Moment a cohort's students are on the rolls: loaded at the start, or enrolled in September. */
export function enrollmentStartOf(world: World, school: School, cohortYear: number): number {
  if (world.seasonYears.includes(cohortYear)) return at(cohortYear, 9, 1 + (school.index % 4), 8);
  return world.span.start + 86_400 + (school.index % 3) * 86_400;
}

/** Students on the rolls of a school at a moment (those enrolled, minus withdrawals and graduates). */
export function activeStudents(world: World, school: School, t: number): number {
  let n = 0;
  for (const c of cohortsAt(world, school, t)) {
    n += sum(c.classes);
    // Withdrawals all happen before the end of the span; at earlier moments this is an upper bound.
    if (t >= world.span.asOf) n -= sum(c.withdrawals);
  }
  return n;
}

/** The cohorts on the rolls at a moment. */
export function cohortsAt(world: World, school: School, t: number): Cohort[] {
  if (school.closedAt !== undefined && closingDepartureOf(school) <= t) return [];
  return school.cohorts.filter((c) => {
    const g = graduationOf(world, school, c.year);
    return enrollmentStartOf(world, school, c.year) <= t && (g === null || g > t);
  });
}

/** When the children of a closing school leave: five days before it closes. */
export const closingDepartureOf = (school: School) => (school.closedAt ?? Infinity) - 5 * 86_400;

export const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

export function makeRegions(options: SimulateOptions): Region[] {
  return jiaozuo.map((p) => {
    const r = rngOf(options.seed, 'region', p.code);
    const population = Math.round(p.population * options.scale);
    const n = Math.max(1, Math.min(899, Math.round(p.townships * options.scale)));
    const weights = Array.from({ length: n }, () => 0.45 + r.next() * 1.1);
    const total = sum(weights);
    const townshipList: Township[] = weights.map((w, i) => ({
      code: `${p.code}${String(p.urban || i < 3 ? 1 + i : 100 + i).padStart(3, '0')}`,
      regionCode: p.code,
      name: townshipName(p, i),
      population: Math.floor((population * w) / total),
    }));
    townshipList[0]!.population += population - sum(townshipList.map((t) => t.population));
    // Exactly 30,000 is the two-central-kindergarten threshold: keep clear of it except on purpose.
    for (const t of townshipList) if (t.population === 30_000) t.population += 1;
    return { ...p, population, townshipList, researchers: [] };
  });
}

function townshipName(p: RegionProfile, i: number): string {
  const base = placeNames[(Number(p.code.slice(4)) * 7 + i) % placeNames.length]!;
  const suffix = p.urban || i < 3 ? '街道' : i % 5 === 4 ? '乡' : '镇';
  const round = Math.floor(i / placeNames.length);
  return `${base}${round > 0 ? round + 1 : ''}${suffix}`;
}

/** A school name of the right kind. */
export function schoolName(level: Level, ownership: Ownership, region: Region, town: Township, n: number, central: boolean): string {
  const short = region.name.replace(/(区|县|市)$/, '').replace('城乡一体化示范', '示范区');
  const brand = brandNames[n % brandNames.length]!;
  const suffix = n >= brandNames.length ? String(Math.floor(n / brandNames.length) + 1) : '';
  if (level === 'kindergarten') {
    if (central) return `${region.name}${town.name}中心幼儿园${n > 0 ? `第${n + 1}园` : ''}`;
    return ownership === 'public' ? `${short}${town.name}第${n + 1}幼儿园` : `${short}${brand}${suffix}幼儿园`;
  }
  if (level === 'high_school') return ownership === 'public' ? `${short}第${n + 1}高级中学` : `${short}${brand}${suffix}高级中学`;
  return ownership === 'public' ? `${short}职业教育中心${n > 0 ? `第${n + 1}校区` : ''}` : `${short}${brand}${suffix}中等职业学校`;
}

/** A deterministic event id: the seed, a kind and entity keys (never a personal identifier). */
export const eventIdOf = (world: World, ...parts: ReadonlyArray<string | number>) => `s${world.options.seed}-${parts.join('-')}`;

/** Moment of the August registry updates (capacity expansions, tuition changes), if in the span. */
export const augustUpdateOf = (world: World, day: number): number | null => {
  const y = world.seasonYears[0];
  return y === undefined ? null : at(y, 8, day, 10);
};

/** Receives each generated event. */
export type Emit = (event: ContractEvent) => void;

/**
 * Builds the world from the options: regions and townships, kindergartens, high schools and
 * vocational schools with their cohorts, then the injected violations and near-misses
 * (violations.ts), then what follows from the final class sizes: capacities, areas, staffing,
 * quotas, funds.
 */
import { UsageError } from '../core/errors.ts';
import { type Rng, rngOf } from '../core/rng.ts';
import type { Ownership } from '../domain/contract.ts';
import type { SimulateOptions, Span } from './options.ts';
import { EXTRA_BASE } from './roster.ts';
import { at } from './time.ts';
import { injectSchoolViolations, injectStaffViolations, nearMissTownship, pickCentralShortfalls } from './violations.ts';
import {
  activeStudents,
  areaFloors,
  type Cohort,
  cohortsAt,
  countFor,
  ID_SLOTS,
  intakeYearsOf,
  type Level,
  makeRegions,
  type Region,
  type School,
  schoolName,
  seasonYearsOf,
  sum,
  type World,
  withdrawFrom,
} from './world.ts';

/** Share of residents aged 3-5 and 15-17 (the city's births of those years). */
const AGE_3_5 = 0.0265;
const AGE_15_17 = 0.034;

const typeCode: Record<Level, string> = { kindergarten: '11', high_school: '34', vocational: '36' };

export function buildWorld(options: SimulateOptions, span: Span): World {
  const seasonYears = seasonYearsOf(span);
  const world: World = {
    options,
    span,
    seasonYears,
    regions: makeRegions(options),
    schools: [],
    staffEvents: [],
    unknownSchools: [],
    outages: [],
    studentCounters: new Map(),
  };
  nearMissTownship(world);
  const centralShort = pickCentralShortfalls(world);
  const make = new SchoolMaker(world);
  for (const region of world.regions) make.kindergartens(region, centralShort);
  // The mega schools go to the two largest urban districts (the exactly-3000 one first).
  const hsCount = world.regions.reduce((n, x) => n + Math.max(1, Math.round((x.population * AGE_15_17 * 0.56) / 2000)), 0);
  const special = ['exact' as const, ...Array(countFor(options.rates.schoolSize, hsCount)).fill('mega' as const)];
  const bigUrban = world.regions
    .filter((x) => x.urban)
    .sort((a, b) => b.population - a.population)
    .slice(0, 2);
  for (const region of world.regions) {
    const i = bigUrban.indexOf(region);
    make.highSchools(region, i < 0 ? [] : special.filter((_, k) => k % 2 === i));
  }
  injectSchoolViolations(world);
  finalize(world);
  injectStaffViolations(world);
  return world;
}

/** Creates schools with codes, names and cohorts. */
export class SchoolMaker {
  private seq = new Map<string, number>();
  private names = new Map<string, number>();
  readonly intakeYears: number[];

  constructor(private readonly world: World) {
    this.intakeYears = intakeYearsOf(world.span, world.seasonYears);
  }

  add(
    region: Region,
    level: Level,
    ownership: Ownership,
    r: Rng,
    opts: { town?: number; central?: boolean; classes: number; classSize: [number, number]; since?: number },
  ): School {
    const town = region.townshipList[opts.town ?? r.int(0, region.townshipList.length - 1)]!;
    const seqKey = typeCode[level] + region.code;
    const n = (this.seq.get(seqKey) ?? 0) + 1;
    this.seq.set(seqKey, n);
    const nameKey = `${level}:${ownership}:${opts.central ? town.code : region.code}`;
    const nameN = this.names.get(nameKey) ?? 0;
    this.names.set(nameKey, nameN + 1);
    const index = this.world.schools.length;
    const school: School = {
      index,
      id: `${typeCode[level]}41${region.code.slice(4)}${String(n).padStart(4, '0')}`,
      name: schoolName(level, ownership, region, town, nameN, opts.central ?? false),
      level,
      ownership,
      regionCode: region.code,
      urban: region.urban,
      townshipCode: town.code,
      licensed: true,
      capacity: 0,
      cohorts: [],
      staffPlan: { teachers: 0, caregivers: 0, other: 0, publicPostShare: 0, noTurnover: false },
      staffBase: 0,
      staffSlots: 0,
      fundsPerQuarter: 0,
      payday: r.int(0, 14),
      plans: new Map(),
      noPlan: false,
      quotaMode: 'fill',
      earlyWindow: false,
      seats: new Map(),
      extras: [],
      steady: false,
      tweak: {},
    };
    if (level === 'kindergarten') {
      school.puhui = ownership === 'public' || r.chance(0.6);
      school.nonprofit = ownership === 'public' || school.puhui || r.chance(0.2);
      school.townshipCentral = opts.central ?? false;
      school.builtYear = opts.since ?? r.int(1985, 2021);
    } else {
      school.openedYear = opts.since ?? r.int(1952, 2012);
    }
    const since = school.builtYear ?? school.openedYear!;
    for (const year of this.intakeYears) {
      if (year < since) continue;
      school.cohorts.push(this.cohort(school, r, year, opts.classes, opts.classSize));
    }
    this.world.schools.push(school);
    return school;
  }

  /** A cohort of `classes` classes, sizes in the range, with a few withdrawals. */
  cohort(school: School, r: Rng, year: number, classes: number, size: [number, number]): Cohort {
    const sizes = Array.from({ length: classes }, () => r.int(size[0], size[1]));
    const withdrawals = sizes.map((n) => Math.min(n - withdrawFrom(school.level), r.chance(0.3) ? r.int(1, 2) : 0));
    const key = `${school.regionCode}:${school.level === 'kindergarten' ? 'kg' : 'hs'}:${year}`;
    const idBase = this.world.studentCounters.get(key) ?? 0;
    // Seat numbers must stay below the extras' range, or two students would share an id.
    if (idBase + classes * ID_SLOTS[school.level] > EXTRA_BASE)
      throw new UsageError(`simulate: scale too large for unique student ids in region ${school.regionCode}`);
    this.world.studentCounters.set(key, idBase + classes * ID_SLOTS[school.level]);
    return { year, classes: sizes, withdrawals, idBase };
  }

  kindergartens(region: Region, centralShort: Map<string, number>): void {
    const r = rngOf(this.world.options.seed, 'kindergartens', region.code);
    const target = region.population * AGE_3_5 * region.kgGer;
    let publicChildren = 0;
    let puhuiChildren = 0;
    let all = 0;
    const size = (s: School) => sum(s.cohorts[s.cohorts.length - 1]?.classes ?? []) * 3;
    const count = (s: School) => {
      const n = size(s);
      all += n;
      if (s.ownership === 'public') publicChildren += n;
      if (s.puhui) puhuiChildren += n;
    };
    region.townshipList.forEach((t, i) => {
      const needed = t.population >= 30_000 ? 2 : 1;
      const n = needed - (centralShort.get(t.code) ?? 0);
      for (let k = 0; k < n; k++) count(this.add(region, 'kindergarten', 'public', r, { town: i, central: true, classes: r.int(2, 3), classSize: [24, 33] }));
    });
    // 新增公办学位: public kindergartens built since 2022, about 7,200 places city-wide at scale 1.
    const newPlaces = (7200 * region.population) / 3_515_000;
    let built = 0;
    while (publicChildren < target * region.publicShare) {
      const since = built < newPlaces ? r.int(2022, 2024) : undefined;
      const s = this.add(region, 'kindergarten', 'public', r, { classes: r.int(1, 3), classSize: [22, 33], ...(since ? { since } : {}) });
      if (since) built += sum(s.cohorts[s.cohorts.length - 1]!.classes) * 3 * 1.15;
      count(s);
    }
    while (puhuiChildren < target * region.puhuiShare) {
      const s = this.add(region, 'kindergarten', 'private', r, { classes: r.int(1, 3), classSize: [22, 32] });
      s.puhui = true;
      s.nonprofit = true;
      count(s);
    }
    while (all < target) {
      const s = this.add(region, 'kindergarten', 'private', r, { classes: r.int(1, 3), classSize: [20, 30] });
      s.puhui = false;
      count(s);
    }
  }

  /** General high schools (the first a big public 一中) and vocational schools, to the region's targets. */
  highSchools(region: Region, special: ReadonlyArray<'exact' | 'mega'>): void {
    const r = rngOf(this.world.options.seed, 'high-schools', region.code);
    const target = region.population * AGE_15_17 * region.hsGer;
    const size = (s: School) => sum(s.cohorts[s.cohorts.length - 1]?.classes ?? []) * 3;
    let general = 0;
    // New urban high schools opened in 2023: mega ones (ADM-SCHOOL-SIZE), and one of exactly 3000.
    for (const kind of special) {
      const s = this.add(region, 'high_school', kind === 'exact' ? 'public' : 'private', r, {
        classes: kind === 'exact' ? 20 : 22,
        classSize: [50, 50],
        since: 2023,
      });
      s.steady = true;
      general += size(s);
    }
    const first = Math.max(6, Math.min(20, Math.round((target * 0.56 * 0.4) / 150)));
    general += size(this.add(region, 'high_school', 'public', r, { classes: first, classSize: [48, 54] }));
    let newOnes = region.urban ? 1 : 0;
    while (general < target * 0.56) {
      const ownership = r.chance(0.3) ? 'private' : 'public';
      const since = newOnes-- > 0 ? r.int(2022, 2024) : undefined;
      general += size(this.add(region, 'high_school', ownership, r, { classes: r.int(6, 16), classSize: [44, 54], ...(since ? { since } : {}) }));
    }
    let vocational = 0;
    while (vocational < target * 0.44) {
      const ownership = r.chance(0.25) ? 'private' : 'public';
      vocational += size(this.add(region, 'vocational', ownership, r, { classes: r.int(10, 24), classSize: [42, 50] }));
    }
  }
}

/** Everything that follows from the final cohorts: capacity, areas, staff, quotas, funds. */
function finalize(world: World): void {
  const { options, span } = world;
  let staffBase = 1;
  for (const s of world.schools) {
    const r = rngOf(options.seed, 'finalize', s.id);
    if (s.steady) for (const c of s.cohorts) c.withdrawals = c.withdrawals.map(() => 0);
    const students = activeStudents(world, s, span.asOf);
    const largest = s.cohorts.map((c) => sum(c.classes)).sort((a, b) => b - a);
    const peak = sum(largest.slice(0, 3));
    s.capacity = Math.ceil((peak * r.float(1.05, 1.25)) / 5) * 5;
    if (s.level === 'kindergarten' && s.index % 97 === 5 && world.seasonYears.length > 0) s.capacityUpdate = s.capacity + 30;
    const classesNow = sum(cohortsAt(world, s, span.asOf).map((c) => c.classes.length));
    const plan = s.staffPlan;
    const ratio = s.level === 'kindergarten' ? 1 / 15 : s.level === 'high_school' ? 0.088 : 0.07;
    if (s.tweak.teachers === 'short') plan.teachers = Math.max(1, Math.floor(students * ratio * 0.8));
    else if (s.tweak.teachers === 'exact') plan.teachers = s.level === 'kindergarten' ? students / 15 : (students * 11) / 125;
    else
      plan.teachers = Math.max(
        2,
        Math.ceil(students * ratio * (s.ownership === 'public' || s.level !== 'kindergarten' ? r.float(1.12, 1.4) : r.float(0.95, 1.35))),
      );
    plan.noTurnover ||= s.tweak.teachers !== undefined;
    if (s.level === 'kindergarten') {
      plan.caregivers = Math.max(1, classesNow);
      plan.other = 1 + Math.floor(students / 150);
      plan.publicPostShare = s.ownership === 'public' ? 0.55 : 0;
      for (const k of ['outdoor', 'activity', 'building'] as const) {
        const area = s.tweak.area?.kind === k ? s.tweak.area.mode : 'fine';
        if (area === 'short') s[k] = Math.floor(areaFloors[k] * students * 0.85 * 10) / 10;
        else if (area === 'exact') s[k] = Math.round(areaFloors[k] * 100 * students) / 100;
        else s[k] = Math.round(areaFloors[k] * s.capacity * r.float(1.1, 1.5) * 10) / 10;
      }
      s.fundsPerQuarter = s.ownership === 'public' ? r.int(150, 250) : s.puhui ? r.int(80, 150) : 0;
    } else {
      plan.caregivers = 0;
      plan.other = Math.ceil(plan.teachers * 0.12);
      plan.publicPostShare = s.ownership === 'public' ? (s.level === 'high_school' ? 0.9 : 0.85) : 0;
      if (s.fundsPerQuarter === 0) s.fundsPerQuarter = r.int(275, 330);
      if (s.level === 'high_school') {
        s.cost ??= s.ownership === 'public' ? r.int(140, 220) * 100 : r.int(260, 380) * 100;
        s.tuition ??= s.ownership === 'public' ? r.int(16, 22) * 100 : Math.round((s.cost * r.float(0.12, 0.22)) / 100) * 100;
      }
    }
    if (plan.teachers !== Math.floor(plan.teachers)) throw new Error(`staffing of ${s.id} is not whole: ${plan.teachers}`);
    s.staffBase = staffBase;
    s.staffSlots = Math.ceil((plan.teachers + plan.caregivers + plan.other) * 1.2) + 4;
    staffBase += s.staffSlots;
    if (s.level !== 'kindergarten' && !s.noPlan) {
      for (const y of world.seasonYears) {
        const net = netAdmissions(s, y);
        if (net === 0) continue;
        const quota = s.quotaMode === 'exact' ? net : s.quotaMode === 'over' ? net - Math.max(2, Math.round(net * 0.03)) : Math.ceil(net / r.float(0.9, 0.99));
        const hs = s.level === 'high_school';
        const opensAt = s.earlyWindow ? at(y, 7, 10, 8, 30) : hs ? at(y, 7, 10, 9) : at(y, 7, 15, 9);
        s.plans.set(y, { quota, opensAt, closesAt: hs ? at(y, 7, 20, 18) : at(y, 8, 10, 18) });
      }
    }
  }
}

/** Net admissions of a school for an intake year: seats admitted on the platform plus extras not cancelled. */
export function netAdmissions(s: School, year: number): number {
  const cohort = s.cohorts.find((c) => c.year === year);
  if (!cohort) return 0;
  let n = sum(cohort.classes);
  for (const [key, flag] of s.seats) if (flag.offPlatform && key.startsWith(`${year}:`)) n--;
  return n + s.extras.filter((e) => e.year === year && !e.cancelled).length;
}

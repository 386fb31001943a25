/**
 * Computes, from the world, every violation that is not recorded payment by payment: admission
 * rules, class and school sizes, staff findings, and the indicators. Each block implements the
 * semantics written in docs/SIMULATOR.md for its rule, as of the end of the span.
 */

import { netAdmissions } from './buildWorld.ts';
import { CITY_CODE } from './jiaozuo.ts';
import { seatStudent } from './roster.ts';
import { staffOf, versionAt } from './staff.ts';
import { academicYear, at, DAY, localDate, localParts } from './time.ts';
import { fundScheduleOf } from './timeline/funding.ts';
import { populationOf } from './timeline/registry.ts';
import type { Truth } from './truth.ts';
import { activeStudents, areaFloors, augustUpdateOf, cohortsAt, enrollmentStartOf, type School, sum, type World } from './world.ts';

const zoneOf = (s: School) => (s.urban ? 'urban' : s.regionCode);

export function computeTruth(world: World, truth: Truth): void {
  admissionTruth(world, truth);
  sizeTruth(world, truth);
  staffTruth(world, truth);
  indicatorTruth(world, truth);
}

/** Whether a school is active at the end of the span (its latest registry version). */
export const isActive = (world: World, s: School) => s.closedAt === undefined || s.closedAt > world.span.asOf;

function admissionTruth(world: World, truth: Truth): void {
  const asOf = world.span.asOf;
  const exempt = new Set(world.options.exemptAdmissionTypes);
  for (const y of world.seasonYears) {
    const period = String(y);
    for (const s of world.schools) {
      const cohort = s.cohorts.find((c) => c.year === y);
      if (s.level === 'kindergarten' || !cohort) continue;
      const plan = s.plans.get(y);
      const net = netAdmissions(s, y);
      if (plan && net > plan.quota) truth.add('ADM-OVER-QUOTA', s.id, s.regionCode, period);
      if (!plan && net > 0) truth.add('ADM-NO-PLAN', s.id, s.regionCode, period);
      if (plan && s.ownership === 'private') {
        const publicOpens = world.schools
          .filter((p) => p.ownership === 'public' && p.level === s.level && zoneOf(p) === zoneOf(s) && p.plans.has(y))
          .map((p) => p.plans.get(y)!.opensAt);
        if (publicOpens.length && plan.opensAt < Math.min(...publicOpens)) truth.add('ADM-OUT-OF-WINDOW', s.id, s.regionCode, period);
      }
      for (const [key, flag] of s.seats) {
        const [ky, cls, seat] = key.split(':').map(Number) as [number, number, number];
        if (ky !== y) continue;
        const st = seatStudent(world, s, cohort, cls, seat);
        if (flag.home !== undefined && !exempt.has(st.admissionType)) truth.addPerson('ADM-CROSS-REGION', s.id, s.regionCode, period, st.id);
        if (plan && (flag.window === 'before' || flag.window === 'after')) truth.addPerson('ADM-OUT-OF-WINDOW', s.id, s.regionCode, period, st.id);
        if (flag.duplicateAt !== undefined) {
          const b = world.schools[flag.duplicateAt]!;
          truth.addPerson('ADM-DUPLICATE', s.id, s.regionCode, period, st.id);
          truth.addPerson('ADM-DUPLICATE', b.id, b.regionCode, period, st.id);
        }
        const enrolledAt = flag.enrollAt ?? enrollmentStartOf(world, s, y);
        if (flag.offPlatform && asOf - enrolledAt > 3 * DAY) truth.addPerson('ADM-OFF-PLATFORM', s.id, s.regionCode, period, st.id);
      }
    }
  }
}

function sizeTruth(world: World, truth: Truth): void {
  const asOf = world.span.asOf;
  const firstAy = academicYear(world.span.start);
  for (const s of world.schools) {
    if (s.level !== 'high_school' || !isActive(world, s)) continue;
    if (s.openedYear! >= 2022 && activeStudents(world, s, asOf) > 3000) truth.add('ADM-SCHOOL-SIZE', s.id, s.regionCode, String(academicYear(asOf)));
    for (const c of cohortsAt(world, s, asOf)) {
      const gradeOne = world.seasonYears.includes(c.year) || c.year === firstAy;
      if (!gradeOne) continue;
      c.classes.forEach((n, i) => {
        if (n - c.withdrawals[i]! > 55) truth.add('ADM-CLASS-SIZE', s.id, s.regionCode, String(c.year), `${c.year}级${String(i + 1).padStart(2, '0')}班`);
      });
    }
  }
}

/** STAFF-* findings, and the staffing rules from the teachers active at the end of the span. */
function staffTruth(world: World, truth: Truth): void {
  const asOf = world.span.asOf;
  const teachers = new Map<number, number>();
  const isCountyHs = (i: number | null) => i !== null && world.schools[i]!.level === 'high_school' && !world.schools[i]!.urban;
  const isUrbanHs = (i: number | null) => i !== null && world.schools[i]!.level === 'high_school' && world.schools[i]!.urban;
  for (const s of world.schools) {
    for (const m of staffOf(world, s)) {
      const vs = m.versions.filter((v) => v.at <= asOf);
      const cur = versionAt(m, asOf);
      if (cur?.active && cur.school !== null && cur.role === 'full_time_teacher') teachers.set(cur.school, (teachers.get(cur.school) ?? 0) + 1);
      if (cur?.active && cur.school !== null && cur.employment === 'public_post' && world.schools[cur.school]!.ownership === 'private') {
        const q = world.schools[cur.school]!;
        truth.addPerson('STAFF-PUBLIC-AT-PRIVATE', q.id, q.regionCode, localDate(cur.at).slice(0, 7), m.id);
      }
      vs.forEach((a, i) => {
        if (!(a.active && a.role === 'full_time_teacher' && isCountyHs(a.school))) return;
        const j = vs.findIndex((b, k) => k > i && (b.school !== a.school || !b.active));
        if (j < 0) return;
        const leftAt = vs[j]!.at;
        for (const c of vs.slice(j)) {
          if (c.active && c.role === 'full_time_teacher' && isUrbanHs(c.school) && c.at - leftAt <= 180 * DAY) {
            const u = world.schools[c.school!]!;
            truth.addPerson('STAFF-POACHED', u.id, u.regionCode, localDate(c.at).slice(0, 7), m.id);
          }
        }
      });
    }
  }
  const year = String(localParts(asOf).year);
  for (const s of world.schools) {
    if (!isActive(world, s)) continue;
    const n = teachers.get(s.index) ?? 0;
    const students = activeStudents(world, s, asOf);
    if (s.level === 'kindergarten' && s.ownership === 'public' && n * 15 < students) truth.add('KG-TEACHER-RATIO', s.id, s.regionCode, year);
    if (s.level === 'high_school' && n * 125 < students * 11) truth.add('HS-TEACHERS', s.id, s.regionCode, year);
  }
  for (const region of world.regions) {
    const active = region.researchers.some((r) => r.joinAt <= asOf && (r.leaveAt === undefined || r.leaveAt > asOf));
    if (!active) truth.add('KG-RESEARCHER', null, region.code, year);
  }
}

function indicatorTruth(world: World, truth: Truth): void {
  const asOf = world.span.asOf;
  const yearN = localParts(asOf).year;
  const year = String(yearN);
  const aug1 = augustUpdateOf(world, 1);
  const aug15 = augustUpdateOf(world, 15);
  const city = { kg: 0, kgPublic: 0, kgPuhui: 0, hs: 0, pop35: 0, pop1517: 0 };
  let newPlaces = 0;
  for (const region of world.regions) {
    const r = { kg: 0, kgPublic: 0, kgPuhui: 0, hs: 0 };
    for (const s of world.schools) {
      if (s.regionCode !== region.code || !isActive(world, s)) continue;
      const n = activeStudents(world, s, asOf);
      if (s.level === 'kindergarten') {
        r.kg += n;
        if (s.ownership === 'public') r.kgPublic += n;
        if (s.ownership === 'public' || s.puhui) r.kgPuhui += n;
        if (!s.licensed) truth.add('KG-UNLICENSED', s.id, s.regionCode, year);
        if (n > 0) {
          for (const kind of ['outdoor', 'activity', 'building'] as const) {
            if (Math.round(s[kind]! * 100) < Math.round(areaFloors[kind] * 100) * n) truth.add('KG-FACILITY', s.id, s.regionCode, year, kind);
          }
        }
        const capacity = s.capacityUpdate !== undefined && aug15 !== null && aug15 <= asOf ? s.capacityUpdate : s.capacity;
        if (s.ownership === 'public' && s.builtYear! >= 2022) newPlaces += capacity;
      } else {
        r.hs += n;
      }
      if (s.level === 'high_school') {
        const tuition = s.tuitionUpdate !== undefined && aug1 !== null && aug1 <= asOf ? s.tuitionUpdate : s.tuition!;
        if (tuition * 4 > s.cost!) truth.add('HS-TUITION', s.id, s.regionCode, year);
        const funds = sum(
          fundScheduleOf(world, s)
            .filter((d) => d.fundType === 'per_student_public_funds' && localParts(d.at).year === yearN)
            .map((d) => d.amount),
        );
        const quarters = [3, 6, 9, 12].filter((m) => at(yearN, m + 1, 1) - 1 <= asOf).length;
        if (n > 0 && funds * 4 < 1000 * n * quarters) truth.add('HS-FUNDS', s.id, s.regionCode, year);
      }
    }
    for (const t of region.townshipList) {
      const central = world.schools.filter(
        (s) => s.townshipCode === t.code && s.level === 'kindergarten' && s.ownership === 'public' && s.townshipCentral && isActive(world, s),
      ).length;
      if (central < (t.population >= 30_000 ? 2 : 1)) truth.add('KG-TOWNSHIP-CENTRAL', null, region.code, year, t.code);
    }
    const pop = populationOf(world, region, Math.min(asOf, at(yearN, 12, 31, 23, 59, 59)));
    indicators(truth, region.code, year, { ...r, pop35: pop.age_3_5, pop1517: pop.age_15_17 });
    city.kg += r.kg;
    city.kgPublic += r.kgPublic;
    city.kgPuhui += r.kgPuhui;
    city.hs += r.hs;
    city.pop35 += pop.age_3_5;
    city.pop1517 += pop.age_15_17;
  }
  indicators(truth, CITY_CODE, year, city);
  const elapsed = Math.min(1460, Math.round((at(yearN, localParts(asOf).month, localParts(asOf).day) - at(2022, 1, 1)) / DAY));
  if (elapsed > 0 && newPlaces * 1460 < 10_000 * elapsed) truth.add('KG-NEW-PUBLIC-PLACES', null, CITY_CODE, year);
}

function indicators(
  truth: Truth,
  region: string,
  year: string,
  c: { kg: number; kgPublic: number; kgPuhui: number; hs: number; pop35: number; pop1517: number },
): void {
  if (c.pop35 > 0 && c.kg * 100 < c.pop35 * 97) truth.add('KG-GER', null, region, year);
  if (c.kg > 0 && c.kgPuhui * 100 < c.kg * 90) truth.add('KG-PUHUI', null, region, year);
  if (c.kg > 0 && c.kgPublic * 100 < c.kg * 50) truth.add('KG-PUBLIC-SHARE', null, region, year);
  if (c.pop1517 > 0 && c.hs * 100 < c.pop1517 * 95) truth.add('HS-GER', null, region, year);
}

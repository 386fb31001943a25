/**
 * The bureau's registry feed: townships, schools and staff loaded at the start of the span, then
 * the year's updates (leavers, hires, raises, August capacity and tuition changes, a closure),
 * and each region's population report (one revised in March).
 */
import { uniformOf } from '../../core/rng.ts';
import type { SchoolStatus } from '../../domain/contract.ts';
import type { StaffMember } from '../staff.ts';
import { at, DAY, localParts, timestamp as ts } from '../time.ts';
import { activeStudents, augustUpdateOf, type Emit, eventIdOf, type Region, type School, type World } from '../world.ts';

const SOURCE = 'jiaozuo-edu-registry';

export function townshipEvents(world: World, emit: Emit): void {
  let i = 0;
  for (const region of world.regions) {
    for (const t of region.townshipList) {
      emit({
        event_id: eventIdOf(world, 'twp', t.code),
        type: 'township.upserted',
        occurred_at: ts(world.span.start + 600 + i++),
        source: SOURCE,
        township_code: t.code,
        region_code: t.regionCode,
        name: t.name,
        population: t.population,
      });
    }
  }
}

/** Each region's resident children aged 3-5 and 15-17, reported in January for the year. */
export function populationEvents(world: World, emit: Emit): void {
  const { span } = world;
  const first = localParts(span.start).year;
  const last = localParts(span.asOf).year;
  for (let year = first; year <= last; year++) {
    const reportAt = Math.max(span.start + DAY, at(year, 1, 20, 10));
    if (reportAt > span.asOf) continue;
    world.regions.forEach((region, i) => {
      const p = populationOf(world, region, Math.min(span.asOf, at(year, 12, 31, 23, 59, 59)));
      const revisedAt = at(year, 3, 15, 10);
      const revised = i === 3 && revisedAt > reportAt && revisedAt <= span.asOf;
      const first = revised ? { age_3_5: Math.round(p.age_3_5 * 1.04), age_15_17: Math.round(p.age_15_17 * 0.97) } : p;
      emit({
        event_id: eventIdOf(world, 'pop', region.code, year),
        type: 'population.reported',
        occurred_at: ts(reportAt + i * 60),
        source: 'jiaozuo-statistics',
        region_code: region.code,
        year,
        ...first,
      });
      if (revised)
        emit({
          event_id: eventIdOf(world, 'pop', region.code, year, 'rev'),
          type: 'population.reported',
          occurred_at: ts(revisedAt),
          source: 'jiaozuo-statistics',
          region_code: region.code,
          year,
          ...p,
        });
    });
  }
}

/** The population the world implies: enrolled children divided by the region's enrollment rate. */
export function populationOf(world: World, region: Region, t: number): { age_3_5: number; age_15_17: number } {
  let kg = 0;
  let hs = 0;
  for (const s of world.schools) {
    if (s.regionCode !== region.code) continue;
    if (s.level === 'kindergarten') kg += activeStudents(world, s, t);
    else hs += activeStudents(world, s, t);
  }
  return { age_3_5: Math.round(kg / region.kgGer), age_15_17: Math.round(hs / region.hsGer) };
}

export function schoolEvents(world: World, school: School, emit: Emit): void {
  const s = school;
  const base = {
    source: SOURCE,
    school_id: s.id,
    name: s.name,
    level: s.level,
    ownership: s.ownership,
    region_code: s.regionCode,
    township_code: s.townshipCode,
    status: 'active' as SchoolStatus,
    licensed: s.licensed,
    capacity: s.capacity,
  };
  const kg = () => ({
    puhui: s.puhui!,
    nonprofit: s.nonprofit!,
    township_central: s.townshipCentral!,
    built_year: s.builtYear!,
    outdoor_play_area_m2: s.outdoor!,
    activity_room_area_m2: s.activity!,
    building_area_m2: s.building!,
  });
  const hs = (tuition: number | undefined) => ({
    opened_year: s.openedYear!,
    ...(tuition !== undefined ? { tuition_yuan_per_year: tuition, cost_per_student_yuan_per_year: s.cost! } : {}),
  });
  const version = (n: number, t: number, over: { status?: SchoolStatus; capacity?: number; tuition?: number }) =>
    emit({
      event_id: eventIdOf(world, 'sch', s.id, n),
      type: 'school.upserted',
      occurred_at: ts(t),
      ...base,
      ...(over.status ? { status: over.status } : {}),
      ...(over.capacity ? { capacity: over.capacity } : {}),
      ...(s.level === 'kindergarten' ? kg() : hs(over.tuition ?? s.tuition)),
    });
  version(0, world.span.start + 1200 + s.index * 2, {});
  const aug1 = augustUpdateOf(world, 1);
  const aug15 = augustUpdateOf(world, 15);
  if (s.tuitionUpdate !== undefined && aug1 !== null) version(1, aug1 + s.index, { tuition: s.tuitionUpdate });
  if (s.capacityUpdate !== undefined && aug15 !== null) version(2, aug15 + s.index, { capacity: s.capacityUpdate });
  if (s.closedAt !== undefined) version(3, s.closedAt, { status: 'closed' });
}

export function staffEvents(world: World, school: School, members: readonly StaffMember[], emit: Emit): void {
  for (const m of members) {
    m.versions.forEach((v, n) => {
      if (v.at > world.span.asOf) return;
      const at = world.schools[v.school!]!;
      emit({
        event_id: eventIdOf(world, 'stf', school.id, m.local, n),
        type: 'staff.upserted',
        occurred_at: ts(v.at),
        source: SOURCE,
        staff_id: m.id,
        school_id: at.id,
        region_code: at.regionCode,
        role: v.role,
        employment: v.employment,
        active: v.active,
        monthly_wage_yuan: v.wage,
      });
    });
  }
}

/** Bureau staff: each region's preschool researchers (学前教育专职教研员), with no school. */
export function researcherEvents(world: World, emit: Emit): void {
  for (const region of world.regions) {
    for (const [j, r] of region.researchers.entries()) {
      const wage = 6000 + Math.round(uniformOf(world.options.seed, 'researcher', r.id) * 2000);
      const v = {
        type: 'staff.upserted' as const,
        source: SOURCE,
        staff_id: r.id,
        region_code: region.code,
        role: 'preschool_researcher' as const,
        employment: 'public_post' as const,
        monthly_wage_yuan: wage,
      };
      emit({ event_id: eventIdOf(world, 'rsr', region.code, j, 0), occurred_at: ts(r.joinAt), ...v, active: true });
      if (r.leaveAt !== undefined) emit({ event_id: eventIdOf(world, 'rsr', region.code, j, 1), occurred_at: ts(r.leaveAt), ...v, active: false });
    }
  }
}

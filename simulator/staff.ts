/**
 * Staff of a school, derived from the school's plan on demand (the same list every time):
 * payroll numbers, roles, agreed wages, and each person's registry versions over the span
 * (joining, leaving, raises, and the moves the violations inject).
 */
import { rngOf } from '../core/rng.ts';
import type { Employment, StaffRole } from '../domain/contract.ts';
import { at, DAY } from './time.ts';
import type { School, World } from './world.ts';

type Role = StaffRole;

export interface StaffVersion {
  at: number;
  /** Index of the school the version names; null for bureau staff. */
  school: number | null;
  active: boolean;
  employment: Employment;
  role: Role;
  wage: number;
}

export interface StaffMember {
  local: number;
  /** The payroll number: personal data, never used in event ids. */
  id: string;
  versions: StaffVersion[];
  /** Moved or paid by an injected violation: the wage injections leave them alone. */
  special: boolean;
}

/** A payroll number: `JZ` and an 8-digit running number. */
export const payrollNumber = (n: number) => `JZ${String(n).padStart(8, '0')}`;

/** Every staff member a school ever has in the span, with their versions in time order. */
export function staffOf(world: World, school: School): StaffMember[] {
  const { span, seasonYears, options } = world;
  const r = rngOf(options.seed, 'staff', school.id);
  const plan = school.staffPlan;
  const roles: Role[] = [
    ...Array<Role>(plan.teachers).fill('full_time_teacher'),
    ...Array<Role>(plan.caregivers).fill('caregiver'),
    ...Array<Role>(plan.other).fill('other'),
  ];
  const hireYear = seasonYears[0];
  const loadAt = span.start + 3600 + school.index * 3;
  const lastLeave = hireYear !== undefined ? at(hireYear, 8, 25) : span.asOf - 10 * DAY;
  const out: StaffMember[] = [];
  const leavers: Role[] = [];
  for (const role of roles) {
    const employment: Employment = school.ownership === 'public' && r.chance(plan.publicPostShare) ? 'public_post' : 'contract';
    const wage = wageOf(school, role, employment, r.next());
    const inactive = r.chance(0.02);
    const leaves = r.chance(0.03);
    const raise = r.chance(0.05);
    const leaveAt = span.start + Math.floor((lastLeave - span.start) * r.float(0.1, 0.9));
    const local = out.length;
    const v0: StaffVersion = { at: loadAt, school: school.index, active: true, employment, role, wage };
    const versions = [v0];
    if (!plan.noTurnover && inactive) v0.active = false;
    else if (!plan.noTurnover && leaves) {
      versions.push({ ...v0, at: leaveAt + local, active: false });
      leavers.push(role);
    } else if (raise && hireYear !== undefined) {
      versions.push({ ...v0, at: at(hireYear, 9, 1, 8, 0, local % 3600), wage: Math.round(wage * 1.06) });
    }
    out.push({ local, id: payrollNumber(school.staffBase + local), versions, special: false });
  }
  if (hireYear !== undefined && (school.closedAt === undefined || school.closedAt > at(hireYear, 9, 1))) {
    for (const role of leavers) {
      const employment: Employment = school.ownership === 'public' && r.chance(plan.publicPostShare) ? 'public_post' : 'contract';
      const local = out.length;
      const v: StaffVersion = {
        at: at(hireYear, 9, 1, 9, 0, local % 3600),
        school: school.index,
        active: true,
        employment,
        role,
        wage: wageOf(school, role, employment, r.next()),
      };
      out.push({ local, id: payrollNumber(school.staffBase + local), versions: [v], special: false });
    }
  }
  if (school.closedAt !== undefined) {
    for (const m of out) {
      const last = m.versions[m.versions.length - 1]!;
      if (last.active) m.versions.push({ ...last, at: school.closedAt + m.local, active: false });
    }
  }
  for (const inj of world.staffEvents) {
    if (inj.school !== school.index || inj.kind !== 'move') continue;
    const m = out[inj.local];
    if (!m) continue;
    m.special = true;
    const base = m.versions[0]!;
    for (const v of inj.versions) m.versions.push({ ...base, at: v.at, school: v.school, active: v.active, employment: v.employment ?? base.employment });
  }
  for (const inj of world.staffEvents) if (inj.school === school.index && inj.kind === 'paid-by' && out[inj.local]) out[inj.local]!.special = true;
  for (const m of out) m.versions.sort((a, b) => a.at - b.at);
  return out;
}

/** The version in force at a moment (latest at or before it), or null before the first. */
export function versionAt(m: StaffMember, t: number): StaffVersion | null {
  let v: StaffVersion | null = null;
  for (const x of m.versions) if (x.at <= t) v = x;
  return v;
}

function wageOf(school: School, role: Role, employment: Employment, u: number): number {
  const band = (lo: number, hi: number) => Math.round(lo + u * (hi - lo));
  if (school.level === 'kindergarten') {
    if (role === 'full_time_teacher') return employment === 'public_post' ? band(4300, 6200) : band(3000, 4200);
    if (role === 'caregiver') return band(3000, 3600);
    return band(3000, 4000);
  }
  if (role === 'full_time_teacher') {
    if (school.level === 'vocational') return band(5500, 8500);
    if (school.ownership === 'private') return band(5000, 8500);
    return employment === 'public_post' ? band(6000, 9500) : band(4800, 7500);
  }
  return band(3500, 5500);
}

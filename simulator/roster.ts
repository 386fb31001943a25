/**
 * Students, derived from a school's cohorts on demand: each class seat is one student with an
 * 18-digit ID-like number (region, birth date, sequence, check digit) that is unique within the
 * run, a home region and an admission type.
 */
import { uniformOf } from '../core/rng.ts';
import { jiaozuo } from './jiaozuo.ts';
import { at, localDate } from './time.ts';
import type { AdmissionType, Cohort, School, SeatFlag, World } from './world.ts';
import { ID_SLOTS, seatKey } from './world.ts';

export interface Student {
  id: string;
  birthDate: string;
  home: string;
  admissionType: AdmissionType;
  flag: SeatFlag | undefined;
}

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';
/** Counters from here on are for students who are not class seats (extras of the violations). */
export const EXTRA_BASE = 300_000;

/** The ID-like number of the u-th student of a region and intake year, and their birth date. */
export function studentNumber(regionCode: string, group: 'kg' | 'hs', year: number, u: number): { id: string; birthDate: string } {
  // Children start kindergarten at 3 and high school at 15: born September to August before.
  const born = at(year - (group === 'kg' ? 4 : 16), 9, 1 + (u % 365), 12);
  const birthDate = localDate(born);
  const body = `${regionCode}${birthDate.replaceAll('-', '')}${String(Math.floor(u / 365) % 1000).padStart(3, '0')}`;
  let s = 0;
  for (let i = 0; i < 17; i++) s += Number(body[i]) * WEIGHTS[i]!;
  return { id: body + CHECK[s % 11]!, birthDate };
}

const groupOf = (s: School): 'kg' | 'hs' => (s.level === 'kindergarten' ? 'kg' : 'hs');
const urbanCodes = jiaozuo.filter((r) => r.urban).map((r) => r.code);

/** The student in a seat of a cohort's class. */
export function seatStudent(world: World, school: School, cohort: Cohort, cls: number, seat: number): Student {
  const u = cohort.idBase + cls * ID_SLOTS[school.level] + seat;
  const { id, birthDate } = studentNumber(school.regionCode, groupOf(school), cohort.year, u);
  const key = seatKey(cohort.year, cls, seat);
  const flag = school.seats.get(key);
  const h = uniformOf(world.options.seed, 'seat', school.id, key);
  let home = school.regionCode;
  if (school.urban && h < 0.2) home = urbanCodes[Math.floor(h * 5 * urbanCodes.length)]!;
  const t = (h * 1000) % 1;
  const admissionType: AdmissionType = t < 0.85 ? 'unified' : t < 0.95 ? 'quota_to_school' : t < 0.97 ? 'arts_special' : t < 0.99 ? 'sports_special' : 'other';
  return { id, birthDate, home: flag?.home ?? home, admissionType: flag?.admissionType ?? admissionType, flag };
}

/** A fresh student number for someone who is not a class seat. */
export function extraStudent(world: World, school: School, year: number): string {
  const key = `${school.regionCode}:${groupOf(school)}:${year}:extra`;
  const u = world.studentCounters.get(key) ?? EXTRA_BASE;
  world.studentCounters.set(key, u + 1);
  return studentNumber(school.regionCode, groupOf(school), year, u).id;
}

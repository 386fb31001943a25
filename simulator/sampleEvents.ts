/**
 * Valid contract events of every type, deterministic from a seed, with raw personal identifiers
 * that look like real ones (18-digit ID numbers, payroll numbers): for the pipeline tests and the
 * benchmarks, which both import them from here.
 */
import { rng } from '../core/rng.ts';
import { type ContractEvent, eventTypes } from '../domain/contract.ts';

const regions = ['410802', '410803', '410804', '410811', '410871', '410821', '410822', '410823', '410825', '410882', '410883'];

/** A raw 学籍号-like student id, distinct for each n. */
export function studentId(n: number): string {
  return `4108${String(20000000000000 + n).padStart(14, '0')}`;
}
/** A raw payroll number, distinct for each n. */
export function staffId(n: number): string {
  return `PAY-${String(n).padStart(7, '0')}`;
}

/** `count` distinct valid events cycling through every event type. */
export function validEvents(count: number, seed = 1): ContractEvent[] {
  const r = rng(seed);
  const out: ContractEvent[] = [];
  for (let i = 0; i < count; i++) {
    const type = eventTypes[i % eventTypes.length]!;
    const region = r.pick(regions);
    const school = `34${region}${String(r.int(0, 99)).padStart(2, '0')}`;
    const base = {
      event_id: `ev-${seed}-${i}`,
      occurred_at: `2025-${String(r.int(1, 12)).padStart(2, '0')}-${String(r.int(1, 28)).padStart(2, '0')}T${String(r.int(0, 23)).padStart(2, '0')}:${String(r.int(0, 59)).padStart(2, '0')}:00+08:00`,
      source: 'test-fixture',
    };
    const student = studentId(r.int(1, 50_000));
    const staff = staffId(r.int(1, 5_000));
    const e = ((): ContractEvent => {
      switch (type) {
        case 'school.upserted':
          return {
            ...base,
            type,
            school_id: school,
            name: `学校${i}`,
            level: 'high_school',
            ownership: r.pick(['public', 'private'] as const),
            region_code: region,
            township_code: `${region}${r.int(100, 120)}`,
            status: 'active',
            licensed: true,
            capacity: r.int(500, 3000),
            opened_year: r.int(1950, 2024),
            tuition_yuan_per_year: 1500,
            cost_per_student_yuan_per_year: 9000.5,
          };
        case 'staff.upserted':
          return {
            ...base,
            type,
            staff_id: staff,
            school_id: school,
            region_code: region,
            role: 'full_time_teacher',
            employment: r.pick(['public_post', 'contract'] as const),
            active: true,
            monthly_wage_yuan: r.int(4000, 9000) + 0.25,
          };
        case 'township.upserted':
          return { ...base, type, township_code: `${region}${r.int(100, 120)}`, region_code: region, name: `乡镇${i}`, population: r.int(5000, 80000) };
        case 'population.reported':
          return { ...base, type, region_code: region, year: r.int(2023, 2025), age_3_5: r.int(5000, 40000), age_15_17: r.int(5000, 40000) };
        case 'admission_plan.published':
          return {
            ...base,
            type,
            school_id: school,
            year: 2025,
            plan_quota: r.int(100, 900),
            window_opens_at: '2025-07-10T08:00:00+08:00',
            window_closes_at: '2025-07-31T18:00:00+08:00',
          };
        case 'admission.admitted':
          return { ...base, type, school_id: school, student_id: student, year: 2025, home_region_code: r.pick(regions), admission_type: 'unified' };
        case 'admission.cancelled':
          return { ...base, type, school_id: school, student_id: student, year: 2025, reason: 'withdrew' };
        case 'enrollment.enrolled':
          return {
            ...base,
            type,
            school_id: school,
            student_id: student,
            year: 2025,
            level: 'high_school',
            grade: 1,
            class_id: `C${r.int(1, 20)}`,
            home_region_code: region,
            birth_date: '2009-03-04',
          };
        case 'enrollment.left':
          return { ...base, type, school_id: school, student_id: student, reason: 'transferred' };
        case 'funds.disbursed':
          return { ...base, type, school_id: school, fiscal_year: 2025, fund_type: 'per_student_public_funds', amount_yuan: r.int(10_000, 900_000) + 0.5 };
        case 'wage.paid':
          return { ...base, type, school_id: school, staff_id: staff, period: '2025-09', amount_yuan: r.int(4000, 9000) + 0.75 };
        case 'social_insurance.paid':
          return { ...base, type, school_id: school, staff_id: staff, period: '2025-09', amount_yuan: r.int(800, 2000) };
      }
    })();
    out.push(e);
  }
  return out;
}

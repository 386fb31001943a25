/** Which warehouse table stores each event type. */
import type { EventType } from './contract.ts';

export const tableOf: Record<EventType, string> = {
  'school.upserted': 'school_versions',
  'staff.upserted': 'staff_versions',
  'township.upserted': 'township_versions',
  'population.reported': 'population_reports',
  'admission_plan.published': 'admission_plans',
  'admission.admitted': 'admissions',
  'admission.cancelled': 'admission_cancellations',
  'enrollment.enrolled': 'enrollments',
  'enrollment.left': 'enrollment_departures',
  'funds.disbursed': 'fund_disbursements',
  'wage.paid': 'wage_payments',
  'social_insurance.paid': 'insurance_payments',
};

/** Every event table, each once, in the contract's order. */
export const eventTables: readonly string[] = [...new Set(Object.values(tableOf))];

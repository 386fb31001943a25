/**
 * Finance and payroll: each staff member's monthly wage and social insurance, paid by the school
 * their registry version names at the end of the month, on the school's payday (26th of the month
 * to 9th of the next, before the due date, the 10th); quarterly per-student funds and subsidies.
 * The per-payment violations (missing, short, late wages; missing insurance) and their
 * near-misses are drawn here, payment by payment, and recorded in the truth.
 */
import { uniformOf } from '../../core/rng.ts';
import type { FundType } from '../../domain/contract.ts';
import { type StaffMember, versionAt } from '../staff.ts';
import { at, DAY, HOUR, localDate, localParts, MINUTE, monthLabel, monthOf, monthStart, timestamp as ts } from '../time.ts';
import type { Truth } from '../truth.ts';
import { activeStudents, type Emit, eventIdOf, type School, type World } from '../world.ts';

const SOURCE = 'jiaozuo-finance';

/** The last moment of month M's due date (the 10th of the next month, Asia/Shanghai). */
export const dueOf = (month: number) => monthStart(month + 1) + 10 * DAY - 1;

export function payrollEvents(world: World, school: School, members: readonly StaffMember[], emit: Emit, truth: Truth): void {
  const { span, options } = world;
  const rates = options.rates;
  const seed = options.seed;
  const first = monthOf(span.start);
  const last = monthOf(span.asOf);
  for (const m of members) {
    for (let month = first; month <= last; month++) {
      const v = versionAt(m, monthStart(month + 1) - 1);
      if (!v?.active || v.school === null) continue;
      const payer = world.schools[v.school]!;
      const label = monthLabel(month);
      const due = dueOf(month);
      const checked = due < span.asOf && !m.special;
      const payday = monthStart(month + 1) + (payer.payday - 6) * DAY + 10 * HOUR + (m.local % 480) * MINUTE;
      const u = checked ? uniformOf(seed, 'wage', school.id, m.local, month) : 1;
      const near = checked ? uniformOf(seed, 'near', school.id, m.local, month) : 1;
      const wage = (amount: number, t: number, n = 0) => {
        if (t > span.asOf) return;
        emit({
          event_id: eventIdOf(world, 'wag', school.id, m.local, label, n),
          type: 'wage.paid',
          occurred_at: ts(t),
          source: SOURCE,
          school_id: payer.id,
          staff_id: m.id,
          period: label,
          amount_yuan: amount,
        });
      };
      // Cumulative cut-offs: u below the first is missing, below the second short, below the third late.
      const missingBelow = rates.wageMissing;
      const shortBelow = missingBelow + rates.wageShort;
      const lateBelow = shortBelow + rates.wageLate;
      if (u < missingBelow) {
        truth.addPerson('WAGE-MISSING', payer.id, payer.regionCode, label, m.id);
      } else if (u < shortBelow) {
        wage(v.wage - 100 - Math.floor(uniformOf(seed, 'short', school.id, m.local, month) * 700), payday);
        truth.addPerson('WAGE-SHORT', payer.id, payer.regionCode, label, m.id);
      } else if (u < lateBelow) {
        // Late by 1-10 days; some at 00:30 on the 11th, which is still the 10th in UTC.
        const days = 1 + Math.floor(uniformOf(seed, 'late', school.id, m.local, month) * 10);
        const t = Math.min(span.asOf, days === 1 || days === 2 ? due + 31 * MINUTE : due + 1 + (days - 1) * DAY + 10 * HOUR);
        wage(v.wage, t);
        truth.addPerson('WAGE-LATE', payer.id, payer.regionCode, label, m.id);
      } else if (near < 0.002) {
        wage(v.wage, due - 59, 0); // on the due date, 23:59:00 (15:59 UTC)
      } else if (near < 0.004) {
        wage(v.wage - 0.5, payday); // short by less than the 1-yuan tolerance
      } else if (near < 0.008) {
        const firstPart = Math.round(v.wage * 0.6);
        wage(firstPart, payday, 0);
        wage(v.wage - firstPart, payday + 12 * HOUR, 1); // paid in two instalments
      } else {
        wage(v.wage, payday);
      }
      if (checked && uniformOf(seed, 'insurance', school.id, m.local, month) < rates.insuranceMissing) {
        truth.addPerson('INSURANCE-MISSING', payer.id, payer.regionCode, label, m.id);
      } else if (payday + HOUR <= span.asOf) {
        emit({
          event_id: eventIdOf(world, 'ins', school.id, m.local, label),
          type: 'social_insurance.paid',
          occurred_at: ts(payday + HOUR),
          source: SOURCE,
          school_id: payer.id,
          staff_id: m.id,
          period: label,
          amount_yuan: Math.round(v.wage * 16) / 100,
        });
      }
    }
  }
  for (const inj of world.staffEvents) {
    if (inj.kind !== 'paid-by' || inj.school !== school.index) continue;
    const m = members[inj.local]!;
    const payer = world.schools[inj.payer]!;
    emit({
      event_id: eventIdOf(world, 'wag', payer.id, 'ext', school.id, m.local, monthLabel(inj.month)),
      type: 'wage.paid',
      occurred_at: ts(inj.at),
      source: SOURCE,
      school_id: payer.id,
      staff_id: m.id,
      period: monthLabel(inj.month),
      amount_yuan: 1500,
    });
    truth.addPerson('STAFF-PUBLIC-AT-PRIVATE', payer.id, payer.regionCode, localDate(inj.at).slice(0, 7), m.id);
  }
}

export interface Disbursement {
  at: number;
  fundType: Extract<FundType, 'per_student_public_funds' | 'puhui_subsidy' | 'student_aid'>;
  amount: number;
  key: string;
}

/** Quarterly per-student public funds (or 普惠 subsidies), and student aid in November. */
export function fundScheduleOf(world: World, school: School): Disbursement[] {
  const { span } = world;
  const students = activeStudents(world, school, span.asOf);
  if (students === 0 || school.fundsPerQuarter === 0) return [];
  const fundType = school.level === 'kindergarten' && school.ownership === 'private' ? 'puhui_subsidy' : 'per_student_public_funds';
  const out: Disbursement[] = [];
  const fund = (t: number, type: Disbursement['fundType'], amount: number, key: string) => {
    if (t < span.start || t > span.asOf || (school.closedAt !== undefined && t >= school.closedAt)) return;
    out.push({ at: t, fundType: type, amount, key });
  };
  for (let year = localParts(span.start).year; year <= localParts(span.asOf).year; year++) {
    for (const q of [1, 2, 3, 4]) fund(at(year, q * 3, 15, 10) + (school.index % 600) * MINUTE, fundType, school.fundsPerQuarter * students, `${year}q${q}`);
    if (school.level === 'high_school') fund(at(year, 11, 20, 10), 'student_aid', Math.round(students * 0.2) * 1000, `${year}aid`);
  }
  return out;
}

export function fundEvents(world: World, school: School, emit: Emit): void {
  for (const d of fundScheduleOf(world, school)) {
    emit({
      event_id: eventIdOf(world, 'fnd', school.id, d.key),
      type: 'funds.disbursed',
      occurred_at: ts(d.at),
      source: SOURCE,
      school_id: school.id,
      fiscal_year: localParts(d.at).year,
      fund_type: d.fundType,
      amount_yuan: d.amount,
    });
  }
}

/**
 * Events naming schools the registry never heard of (DQ-UNKNOWN-SCHOOL): a fund disbursement and
 * an enrollment per unknown code. Near-miss: a disbursement to a school a few minutes before its
 * registry record arrives, which is known by the end of the span.
 */
import { studentNumber } from '../roster.ts';
import { DAY, localDate, localParts, timestamp as ts } from '../time.ts';
import type { Truth } from '../truth.ts';
import { type Emit, eventIdOf, type World } from '../world.ts';

export function unknownSchoolEvents(world: World, emit: Emit, truth: Truth): void {
  world.unknownSchools.forEach((u, i) => {
    const year = localParts(u.at).year;
    emit({
      event_id: eventIdOf(world, 'unk', u.id, 'fnd'),
      type: 'funds.disbursed',
      occurred_at: ts(u.at),
      source: 'jiaozuo-finance',
      school_id: u.id,
      fiscal_year: year,
      fund_type: 'other',
      amount_yuan: 50_000 + i * 1000,
    });
    const child = studentNumber('410823', 'kg', year, 360_000 + i);
    if (u.at + DAY <= world.span.asOf) {
      emit({
        event_id: eventIdOf(world, 'unk', u.id, 'enr'),
        type: 'enrollment.enrolled',
        occurred_at: ts(u.at + DAY),
        source: 'school-roster',
        school_id: u.id,
        student_id: child.id,
        year,
        level: 'kindergarten',
        grade: 1,
        class_id: `${year}级01班`,
        home_region_code: '410823',
        birth_date: child.birthDate,
      });
    }
    truth.add('DQ-UNKNOWN-SCHOOL', u.id, null, localDate(u.at), null);
  });
  const late = world.schools[world.schools.length - 1];
  if (late) {
    emit({
      event_id: eventIdOf(world, 'fnd', late.id, 'early'),
      type: 'funds.disbursed',
      occurred_at: ts(world.span.start + 300),
      source: 'jiaozuo-finance',
      school_id: late.id,
      fiscal_year: localParts(world.span.start).year,
      fund_type: 'facility',
      amount_yuan: 200_000,
    });
  }
}

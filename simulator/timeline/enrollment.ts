/**
 * School rosters: the students on the rolls loaded at the start of the span, September intakes
 * into classes, withdrawals during the year, graduation in July, and the transfers out of a
 * kindergarten that closes.
 */
import { rngOf } from '../../core/rng.ts';
import { seatStudent } from '../roster.ts';
import { academicYear, DAY, HOUR, timestamp as ts } from '../time.ts';
import { closingDepartureOf, type Emit, enrollmentStartOf, eventIdOf, graduationOf, type School, type World, withdrawFrom } from '../world.ts';

const SOURCE = 'school-roster';
const reasons = ['transferred', 'transferred', 'transferred', 'dropped_out', 'dropped_out', 'other'] as const;

export function rosterEvents(world: World, school: School, emit: Emit): void {
  const { span } = world;
  const r = rngOf(world.options.seed, 'roster', school.id);
  const departure = closingDepartureOf(school);
  const firstAy = academicYear(span.start);
  for (const cohort of school.cohorts) {
    const start = enrollmentStartOf(world, school, cohort.year);
    if (start > span.asOf || start >= departure) continue;
    const grade = world.seasonYears.includes(cohort.year) ? 1 : firstAy - cohort.year + 1;
    const graduation = graduationOf(world, school, cohort.year);
    const lastLeave = Math.min(span.asOf - DAY, (graduation ?? Infinity) - 5 * DAY, departure - DAY);
    cohort.classes.forEach((size, cls) => {
      const classId = `${cohort.year}级${String(cls + 1).padStart(2, '0')}班`;
      const w = cohort.withdrawals[cls]!;
      const wFrom = withdrawFrom(school.level);
      for (let seat = 0; seat < size; seat++) {
        const st = seatStudent(world, school, cohort, cls, seat);
        const enrolledAt = st.flag?.enrollAt ?? start + cls * 900 + seat * 11;
        emit({
          event_id: eventIdOf(world, 'enr', school.id, cohort.year, cls, seat),
          type: 'enrollment.enrolled',
          occurred_at: ts(enrolledAt),
          source: SOURCE,
          school_id: school.id,
          student_id: st.id,
          year: cohort.year,
          level: school.level,
          grade,
          class_id: classId,
          home_region_code: st.home,
          birth_date: st.birthDate,
        });
        const left = (at: number, reason: (typeof reasons)[number] | 'graduated') =>
          emit({
            event_id: eventIdOf(world, 'lft', school.id, cohort.year, cls, seat),
            type: 'enrollment.left',
            occurred_at: ts(at),
            source: SOURCE,
            school_id: school.id,
            student_id: st.id,
            reason,
          });
        if (seat >= wFrom && seat < wFrom + w) {
          left(enrolledAt + DAY + Math.floor((lastLeave - enrolledAt - DAY) * r.next()), r.pick(reasons));
        } else if (graduation !== null && graduation <= span.asOf && graduation < departure) {
          left(graduation + cls * 600 + seat * 7 + ((school.index % 50) * HOUR) / 10, 'graduated');
        } else if (departure <= span.asOf) {
          left(departure + cls * 600 + seat * 7, 'transferred');
        }
      }
    });
  }
}

/**
 * The provincial admission platform: plans published on the morning the high-school windows open,
 * then admissions spread evenly over each school's window (high schools 10-20 July, vocational
 * 15 July - 10 August), some cancelled a few days later. Outages shift what would have happened
 * during them to just after, which leaves the admission feed quiet for their length.
 */
import { uniformOf } from '../../core/rng.ts';
import { seatStudent } from '../roster.ts';
import { at, DAY, HOUR, MINUTE, timestamp as ts } from '../time.ts';
import { type AdmissionType, type Emit, eventIdOf, type School, type World } from '../world.ts';

const SOURCE = 'henan-zhongzhao-platform';

/** The moment an event planned for `t` really happens, given the platform's outages. */
export function afterOutages(world: World, t: number): number {
  for (const [from, to] of world.outages) if (t >= from && t < to) return to + Math.floor(((t - from) / (to - from)) * MINUTE);
  return t;
}

/** The window a school admits in: its plan's, or (without a plan) the one of its level. */
export function windowOf(school: School, year: number): { opensAt: number; closesAt: number } {
  const plan = school.plans.get(year);
  if (plan) return plan;
  return school.level === 'high_school'
    ? { opensAt: at(year, 7, 10, 9), closesAt: at(year, 7, 20, 18) }
    : { opensAt: at(year, 7, 15, 9), closesAt: at(year, 8, 10, 18) };
}

export function admissionEvents(world: World, emit: Emit): void {
  for (const year of world.seasonYears) {
    const admitting = world.schools.filter((s) => s.level !== 'kindergarten' && s.cohorts.some((c) => c.year === year));
    const planned = admitting.filter((s) => s.plans.has(year));
    const step = Math.max(1, Math.floor((55 * MINUTE) / Math.max(1, planned.length)));
    planned.forEach((s, i) => {
      const plan = s.plans.get(year)!;
      emit({
        event_id: eventIdOf(world, 'pln', s.id, year),
        type: 'admission_plan.published',
        occurred_at: ts(afterOutages(world, at(year, 7, 10, 8) + i * step)),
        source: SOURCE,
        school_id: s.id,
        year,
        plan_quota: plan.quota,
        window_opens_at: ts(plan.opensAt),
        window_closes_at: ts(plan.closesAt),
      });
    });
    for (const s of admitting) schoolAdmissions(world, s, year, emit);
  }
}

function schoolAdmissions(world: World, school: School, year: number, emit: Emit): void {
  const cohort = school.cohorts.find((c) => c.year === year)!;
  const { opensAt, closesAt } = windowOf(school, year);
  const items = cohort.classes.reduce((n, size) => n + size, 0) + school.extras.filter((e) => e.year === year).length;
  const phase = uniformOf(world.options.seed, 'phase', school.id, year);
  let i = 0;
  const nextTime = () => opensAt + Math.floor(((i++ + phase) * (closesAt - opensAt)) / items);
  const lastCancel = at(year, 8, 10, 12);
  const admitted = (id: string, t: number, studentId: string, home: string, type: AdmissionType) =>
    emit({
      event_id: eventIdOf(world, 'adm', school.id, year, id),
      type: 'admission.admitted',
      occurred_at: ts(afterOutages(world, t)),
      source: SOURCE,
      school_id: school.id,
      student_id: studentId,
      year,
      home_region_code: home,
      admission_type: type,
    });
  cohort.classes.forEach((size, cls) => {
    for (let seat = 0; seat < size; seat++) {
      const st = seatStudent(world, school, cohort, cls, seat);
      const planned = nextTime();
      if (st.flag?.offPlatform) continue;
      const w = st.flag?.window;
      const t = w === 'before' ? opensAt - 20 * MINUTE : w === 'after' ? closesAt + 16 * HOUR : w === 'atOpen' ? opensAt : w === 'atClose' ? closesAt : planned;
      admitted(`${cls}-${seat}`, t, st.id, st.home, st.admissionType);
    }
  });
  school.extras.forEach((e, n) => {
    if (e.year !== year) return;
    const t = nextTime();
    admitted(`x${n}`, t, e.studentId, e.home, e.admissionType);
    if (e.cancelled) {
      emit({
        event_id: eventIdOf(world, 'cxl', school.id, year, `x${n}`),
        type: 'admission.cancelled',
        occurred_at: ts(afterOutages(world, t + 2 * DAY <= lastCancel ? t + 2 * DAY : t + 10 * MINUTE)),
        source: SOURCE,
        school_id: school.id,
        student_id: e.studentId,
        year,
        reason: '考生放弃录取',
      });
    }
  });
}

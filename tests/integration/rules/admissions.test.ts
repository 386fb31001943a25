/** The admission rules, each firing on a violating fixture and quiet on the near-miss next to its threshold. */
import { describe, expect, it } from 'vitest';
import { eventIds, identities, pseudonym, RuleWorld } from '../../helpers/ruleWorld.ts';

const T = '2025-12-31T23:59:59+08:00';
const HS = '3441210001';
const OPENS = '2025-07-10T09:00:00+08:00';
const CLOSES = '2025-07-20T18:00:00+08:00';

/** A county high school with a 2025 plan of `quota` places. */
function planned(quota: number, fields: Parameters<RuleWorld['school']>[1] = {}): RuleWorld {
  return new RuleWorld().school(HS, fields).add('admission_plan.published', '2025-07-10T08:00:00+08:00', {
    school_id: HS,
    year: 2025,
    plan_quota: quota,
    window_opens_at: OPENS,
    window_closes_at: CLOSES,
  });
}

function admit(w: RuleWorld, student: string, at = '2025-07-12T10:00:00+08:00', school_id = HS, home = '410821'): RuleWorld {
  return w.add('admission.admitted', at, { school_id, student_id: student, year: 2025, home_region_code: home, admission_type: 'unified' });
}

describe('ADM-OVER-QUOTA', () => {
  it('fires when net admissions exceed the plan', async () => {
    const w = planned(2);
    for (const s of ['a', 'b', 'c']) admit(w, s);
    const v = await w.evaluate('ADM-OVER-QUOTA', T);
    expect(identities(v)).toEqual([[HS, '410821', '2025', null]]);
    expect([v[0]!.observed, v[0]!.threshold]).toEqual([3, 2]);
  });

  it('names the first admission beyond the plan, by time, not the latest nor the last stored', async () => {
    const w = planned(2);
    admit(w, 'latest', '2025-07-15T10:00:00+08:00');
    admit(w, 'a', '2025-07-12T09:00:00+08:00');
    admit(w, 'cancelled', '2025-07-12T09:30:00+08:00');
    w.add('admission.cancelled', '2025-07-12T11:00:00+08:00', { school_id: HS, student_id: 'cancelled', year: 2025 });
    admit(w, 'b', '2025-07-12T10:00:00+08:00');
    admit(w, 'third', '2025-07-13T10:00:00+08:00');
    const v = await w.evaluate('ADM-OVER-QUOTA', T);
    expect(v[0]!.observed).toBe(4);
    expect(eventIds(v)).toEqual([w.idOf('admission.admitted', { student_id: 'third' })]);
  });

  it('stays quiet when the plan is filled exactly after a cancellation', async () => {
    const w = planned(2);
    for (const s of ['a', 'b', 'c']) admit(w, s);
    w.add('admission.cancelled', '2025-07-14T10:00:00+08:00', { school_id: HS, student_id: 'c', year: 2025 });
    expect(await w.evaluate('ADM-OVER-QUOTA', T)).toEqual([]);
  });

  it('does not count admissions after the as-of moment', async () => {
    const w = planned(2);
    for (const s of ['a', 'b']) admit(w, s);
    admit(w, 'c', '2025-07-15T10:00:00+08:00');
    expect(await w.evaluate('ADM-OVER-QUOTA', '2025-07-14T00:00:00+08:00')).toEqual([]);
    expect(await w.evaluate('ADM-OVER-QUOTA', '2025-07-15T10:00:00+08:00')).toHaveLength(1);
  });
});

describe('ADM-NO-PLAN', () => {
  it('fires once per school and year with admissions but no plan, and not where a plan exists', async () => {
    const w = planned(5).school('3441210002');
    admit(w, 'a', undefined, '3441210002');
    admit(w, 'b', '2025-07-11T10:00:00+08:00', '3441210002');
    admit(w, 'c');
    const v = await w.evaluate('ADM-NO-PLAN', T);
    expect(identities(v)).toEqual([['3441210002', '410821', '2025', null]]);
    // The first admission made without a plan: b, admitted a day before a though stored after it.
    expect(eventIds(v)).toEqual([w.idOf('admission.admitted', { student_id: 'b' })]);
  });
});

describe('ADM-OUT-OF-WINDOW', () => {
  it('fires on an admission before the window opens; the bounds themselves are inside', async () => {
    const w = planned(10);
    admit(w, 'early', '2025-07-10T08:59:59+08:00');
    admit(w, 'at-open', OPENS);
    admit(w, 'at-close', CLOSES);
    admit(w, 'late', '2025-07-20T18:00:01+08:00');
    const v = await w.evaluate('ADM-OUT-OF-WINDOW', T);
    const expected = [
      [[HS, '410821', '2025', pseudonym('early')], w.idOf('admission.admitted', { student_id: 'early' })],
      [[HS, '410821', '2025', pseudonym('late')], w.idOf('admission.admitted', { student_id: 'late' })],
    ].sort((a, b) => String(a[0]![3]).localeCompare(String(b[0]![3])));
    expect(identities(v)).toEqual(expected.map((e) => e[0]));
    expect(eventIds(v)).toEqual(expected.map((e) => e[1]));
  });

  it('fires on a private school opening before the public schools of its zone and level, not at the same time', async () => {
    const w = planned(10).school('3441210002', { ownership: 'private' }).school('3441210003', { ownership: 'private' });
    w.add('admission_plan.published', '2025-07-10T08:00:00+08:00', {
      school_id: '3441210002',
      year: 2025,
      plan_quota: 5,
      window_opens_at: '2025-07-09T09:00:00+08:00',
      window_closes_at: CLOSES,
    });
    w.add('admission_plan.published', '2025-07-10T08:00:00+08:00', {
      school_id: '3441210003',
      year: 2025,
      plan_quota: 5,
      window_opens_at: OPENS,
      window_closes_at: CLOSES,
    });
    const v = await w.evaluate('ADM-OUT-OF-WINDOW', T);
    expect(identities(v)).toEqual([['3441210002', '410821', '2025', null]]);
    // The record to correct is the private school's plan.
    expect(eventIds(v)).toEqual([w.idOf('admission_plan.published', { school_id: '3441210002' })]);
  });
});

describe('ADM-DUPLICATE', () => {
  it('fires at both schools for a student admitted at two, not for one cancelled and admitted elsewhere', async () => {
    const w = planned(10).school('3441210002');
    admit(w, 'twice');
    admit(w, 'twice', '2025-07-11T10:00:00+08:00', '3441210002');
    admit(w, 'moved');
    w.add('admission.cancelled', '2025-07-14T10:00:00+08:00', { school_id: HS, student_id: 'moved', year: 2025 });
    admit(w, 'moved', '2025-07-15T10:00:00+08:00', '3441210002');
    const v = await w.evaluate('ADM-DUPLICATE', T);
    expect(identities(v)).toEqual([
      [HS, '410821', '2025', pseudonym('twice')],
      ['3441210002', '410821', '2025', pseudonym('twice')],
    ]);
    // Both rows name the later admission, the one that made the student held twice: HS's, a day after 3441210002's.
    const later = w.idOf('admission.admitted', { student_id: 'twice', school_id: HS });
    expect(eventIds(v)).toEqual([later, later]);
  });

  it('names each later admission of a student held at three schools; the first school names the second', async () => {
    const w = planned(10).school('3441210002').school('3441210003');
    admit(w, 'thrice', '2025-07-13T10:00:00+08:00', '3441210003');
    admit(w, 'thrice', '2025-07-11T10:00:00+08:00', HS);
    admit(w, 'thrice', '2025-07-12T10:00:00+08:00', '3441210002');
    const v = await w.evaluate('ADM-DUPLICATE', T);
    const id = (school_id: string) => w.idOf('admission.admitted', { student_id: 'thrice', school_id });
    expect(v.map((x) => [x.school_id, x.details.event_id])).toEqual([
      [HS, id('3441210002')],
      ['3441210002', id('3441210002')],
      ['3441210003', id('3441210003')],
    ]);
  });
});

describe('ADM-CROSS-REGION', () => {
  it('fires on a student from another county, not on one from another urban district (one zone)', async () => {
    const URBAN = '3441020001';
    const w = planned(10).school(URBAN, { region_code: '410802' });
    admit(w, 'county', undefined, URBAN, '410821');
    admit(w, 'urban', undefined, URBAN, '410803');
    admit(w, 'local', undefined, HS, '410821');
    const v = await w.evaluate('ADM-CROSS-REGION', T);
    expect(identities(v)).toEqual([[URBAN, '410802', '2025', pseudonym('county')]]);
    expect(eventIds(v)).toEqual([w.idOf('admission.admitted', { student_id: 'county' })]);
  });

  it('skips admission types configured as exempt', async () => {
    const w = planned(10);
    w.add('admission.admitted', '2025-07-12T10:00:00+08:00', {
      school_id: HS,
      student_id: 'x',
      year: 2025,
      home_region_code: '410822',
      admission_type: 'arts_special',
    });
    expect(await w.evaluate('ADM-CROSS-REGION', T)).toHaveLength(1);
    expect(await w.evaluate('ADM-CROSS-REGION', T, { exemptAdmissionTypes: ['arts_special', 'sports_special'] })).toEqual([]);
  });
});

describe('ADM-OFF-PLATFORM', () => {
  it('fires on a grade-1 enrollment without admission older than the grace period, not inside it', async () => {
    const w = planned(10);
    admit(w, 'admitted');
    w.students(HS, 1, { year: 2025, student_id: 'admitted' }, '2025-09-01T09:00:00+08:00');
    w.add('enrollment.enrolled', '2025-09-01T09:00:00+08:00', {
      school_id: HS,
      student_id: 'old',
      year: 2025,
      level: 'high_school',
      grade: 1,
      class_id: 'c',
      home_region_code: '410821',
    });
    w.add('enrollment.enrolled', '2025-12-29T18:59:59+08:00', {
      school_id: HS,
      student_id: 'recent',
      year: 2025,
      level: 'high_school',
      grade: 1,
      class_id: 'c',
      home_region_code: '410821',
    });
    const v = await w.evaluate('ADM-OFF-PLATFORM', T);
    expect(identities(v)).toEqual([[HS, '410821', '2025', pseudonym('old')]]);
    expect(eventIds(v)).toEqual([w.idOf('enrollment.enrolled', { student_id: 'old' })]);
  });
});

describe('ADM-CLASS-SIZE', () => {
  it('fires on a grade-1 class of 56 active students, not on one of exactly 55', async () => {
    const w = new RuleWorld().school(HS).school('3441210002');
    w.students(HS, 55, { year: 2025, class_id: '2025级01班' }, '2025-09-01T09:00:00+08:00');
    w.add('enrollment.enrolled', '2025-09-02T09:00:00+08:00', {
      school_id: HS,
      student_id: 'the 56th',
      year: 2025,
      level: 'high_school',
      grade: 1,
      class_id: '2025级01班',
      home_region_code: '410821',
    });
    w.students('3441210002', 55, { year: 2025, class_id: '2025级01班' }, '2025-09-01T09:00:00+08:00');
    const v = await w.evaluate('ADM-CLASS-SIZE', T);
    expect(identities(v)).toEqual([[HS, '410821', '2025', '2025级01班']]);
    expect(v[0]!.observed).toBe(56);
    // The latest enrollment into the full class.
    expect(eventIds(v)).toEqual([w.idOf('enrollment.enrolled', { student_id: 'the 56th' })]);
  });

  it('does not count a student who left', async () => {
    const w = new RuleWorld().school(HS);
    w.students(HS, 56, { year: 2025, class_id: 'k' }, '2025-09-01T09:00:00+08:00');
    w.add('enrollment.left', '2025-10-01T09:00:00+08:00', { school_id: HS, student_id: `S${HS}-k-0`, reason: 'transferred' });
    expect(await w.evaluate('ADM-CLASS-SIZE', T)).toEqual([]);
  });
});

describe('ADM-SCHOOL-SIZE', () => {
  it('fires on a high school opened in 2023 with 3001 students, not on one with exactly 3000', async () => {
    const w = new RuleWorld().school(HS, { opened_year: 2023 }).school('3441210002', { opened_year: 2023 }).school('3441210003', { opened_year: 2021 });
    w.students(HS, 3001).students('3441210002', 3000).students('3441210003', 3001);
    const v = await w.evaluate('ADM-SCHOOL-SIZE', T);
    expect(identities(v)).toEqual([[HS, '410821', '2025', null]]);
    expect(eventIds(v)).toEqual([w.idOf('school.upserted', { school_id: HS })]);
    expect(identities(await w.evaluate('ADM-SCHOOL-SIZE', '2025-06-30T12:00:00+08:00'))).toEqual([[HS, '410821', '2024', null]]);
  });
});

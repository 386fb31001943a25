/** Preschool and high-school indicator rules and data-health rules, firing and quiet next to their thresholds. */
import { describe, expect, it } from 'vitest';
import { eventIds, identities, RuleWorld } from '../../helpers/ruleWorld.ts';

const T = '2025-12-31T23:59:59+08:00';
const KG = '1141210001';
const HS = '3441210001';
const kindergarten = { level: 'kindergarten', ownership: 'public' } as const;
const children = (w: RuleWorld, school: string, n: number, class_id = 'k') => w.students(school, n, { level: 'kindergarten', class_id });
const population = (w: RuleWorld, age_3_5: number, age_15_17: number, region_code = '410821') =>
  w.add('population.reported', '2025-01-20T10:00:00+08:00', { region_code, year: 2025, age_3_5, age_15_17 });

describe('KG-GER, KG-PUHUI, KG-PUBLIC-SHARE, HS-GER', () => {
  it('KG-GER fires for the region and the city below 97%, not at exactly 97%', async () => {
    const quiet = children(population(new RuleWorld().school(KG, kindergarten), 100, 0), KG, 97);
    expect(await quiet.evaluate('KG-GER', T)).toEqual([]);
    const short = children(population(new RuleWorld().school(KG, kindergarten), 100, 0), KG, 96);
    const v = await short.evaluate('KG-GER', T);
    expect(identities(v)).toEqual([
      [null, '410800', '2025', null],
      [null, '410821', '2025', null],
    ]);
    // A rate over a region has no one source record to name.
    expect(eventIds(v)).toEqual([undefined, undefined]);
  });

  it('KG-PUHUI and KG-PUBLIC-SHARE compare public, puhui and other kindergartens at their thresholds', async () => {
    const w = new RuleWorld()
      .school(KG, kindergarten)
      .school('1141210002', { ...kindergarten, ownership: 'private', puhui: true })
      .school('1141210003', { ...kindergarten, ownership: 'private' });
    children(children(children(population(w, 1000, 0), KG, 50), '1141210002', 40), '1141210003', 10);
    expect(await w.evaluate('KG-PUHUI', T)).toEqual([]);
    expect(await w.evaluate('KG-PUBLIC-SHARE', T)).toEqual([]);
    children(w, '1141210003', 1, 'extra');
    expect(await w.evaluate('KG-PUHUI', T)).toHaveLength(2);
    expect(await w.evaluate('KG-PUBLIC-SHARE', T)).toHaveLength(2);
  });

  it('HS-GER counts high and vocational schools against age 15-17: 95% is quiet, below fires', async () => {
    const w = new RuleWorld().school(HS).school('3641210001', { level: 'vocational' });
    w.students(HS, 60).students('3641210001', 35, { level: 'vocational' });
    population(w, 0, 100);
    expect(await w.evaluate('HS-GER', T)).toEqual([]);
    w.add('enrollment.left', '2025-06-01T10:00:00+08:00', { school_id: HS, student_id: `S${HS}-c-0`, reason: 'dropped_out' });
    expect(identities(await w.evaluate('HS-GER', T))).toEqual([
      [null, '410800', '2025', null],
      [null, '410821', '2025', null],
    ]);
  });
});

describe('KG-TEACHER-RATIO', () => {
  it('fires below one teacher per 15 children: 180 children with 12 teachers is quiet, with 11 it fires', async () => {
    const w = children(new RuleWorld().school(KG, kindergarten), KG, 180);
    for (let i = 0; i < 11; i++) w.staff(`JZ${i}`, { school_id: KG });
    const v = await w.evaluate('KG-TEACHER-RATIO', T);
    expect(identities(v)).toEqual([[KG, '410821', '2025', null]]);
    expect(eventIds(v)).toEqual([w.idOf('school.upserted', { school_id: KG })]);
    w.staff('JZ99', { school_id: KG });
    expect(await w.evaluate('KG-TEACHER-RATIO', T)).toEqual([]);
  });
});

describe('KG-TOWNSHIP-CENTRAL', () => {
  it('needs two central kindergartens from 30,000 people: 29,999 with one is quiet, 30,000 with one fires', async () => {
    const w = new RuleWorld()
      .add('township.upserted', '2025-01-01T00:05:00+08:00', { township_code: '410821101', region_code: '410821', name: '甲镇', population: 29_999 })
      .add('township.upserted', '2025-01-01T00:05:00+08:00', { township_code: '410821102', region_code: '410821', name: '乙镇', population: 30_000 })
      .school(KG, { ...kindergarten, township_code: '410821101', township_central: true })
      .school('1141210002', { ...kindergarten, township_code: '410821102', township_central: true });
    const v = await w.evaluate('KG-TOWNSHIP-CENTRAL', T);
    expect(identities(v)).toEqual([[null, '410821', '2025', '410821102']]);
    expect(eventIds(v)).toEqual([w.idOf('township.upserted', { township_code: '410821102' })]);
  });
});

describe('KG-FACILITY', () => {
  it('compares areas as decimals: exactly 8.17 m² per child is quiet, 0.01 m² short of 4 m² outdoors fires', async () => {
    const w = new RuleWorld().school(KG, { ...kindergarten, outdoor_play_area_m2: 719.99, activity_room_area_m2: 1470.6, building_area_m2: 1879.2 });
    children(w, KG, 180);
    const v = await w.evaluate('KG-FACILITY', T);
    expect(identities(v)).toEqual([[KG, '410821', '2025', 'outdoor']]);
    expect(eventIds(v)).toEqual([w.idOf('school.upserted', { school_id: KG })]);
  });
});

describe('KG-NEW-PUBLIC-PLACES', () => {
  it('fires when new public places are behind the straight line to 10,000, not exactly on it', async () => {
    const behind = new RuleWorld().school(KG, { ...kindergarten, built_year: 2023, capacity: 9999 });
    expect(identities(await behind.evaluate('KG-NEW-PUBLIC-PLACES', T))).toEqual([[null, '410800', '2025', null]]);
    // 1 January 2024 is 730 of the 1460 days: the line stands at 5,000 places.
    const onLine = new RuleWorld().school(KG, { ...kindergarten, built_year: 2023, capacity: 5000 }, '2023-06-01T10:00:00+08:00');
    expect(await onLine.evaluate('KG-NEW-PUBLIC-PLACES', '2024-01-01T12:00:00+08:00')).toEqual([]);
    const short = new RuleWorld().school(KG, { ...kindergarten, built_year: 2023, capacity: 4999 }, '2023-06-01T10:00:00+08:00');
    expect(identities(await short.evaluate('KG-NEW-PUBLIC-PLACES', '2024-01-01T12:00:00+08:00'))).toEqual([[null, '410800', '2024', null]]);
  });
});

describe('KG-RESEARCHER and KG-UNLICENSED', () => {
  it('KG-RESEARCHER fires for a region without an active researcher; a replaced one is quiet', async () => {
    const regions = ['410802', '410803', '410804', '410811', '410871', '410821', '410822', '410823', '410825', '410882'];
    const w = new RuleWorld();
    for (const r of regions) w.staff(`JZB${r}`, { school_id: undefined, region_code: r, role: 'preschool_researcher' });
    w.staff('JZB410882', { school_id: undefined, region_code: '410882', role: 'preschool_researcher', active: false }, '2025-05-01T10:00:00+08:00');
    w.staff('JZBnew', { school_id: undefined, region_code: '410882', role: 'preschool_researcher' }, '2025-06-01T10:00:00+08:00');
    expect(identities(await w.evaluate('KG-RESEARCHER', T))).toEqual([[null, '410883', '2025', null]]);
  });

  it('KG-UNLICENSED fires on an active unlicensed kindergarten, not on a closed one', async () => {
    const w = new RuleWorld().school(KG, { ...kindergarten, licensed: false }).school('1141210002', { ...kindergarten, licensed: false });
    w.school('1141210002', { ...kindergarten, licensed: false, status: 'closed' }, '2025-06-15T10:00:00+08:00');
    const UPDATED = '2025-03-01T10:00:00+08:00';
    w.school(KG, { ...kindergarten, licensed: false, capacity: 200 }, UPDATED);
    const v = await w.evaluate('KG-UNLICENSED', T);
    expect(identities(v)).toEqual([[KG, '410821', '2025', null]]);
    // The version in force, not the first registration.
    expect(eventIds(v)).toEqual([w.idOf('school.upserted', { school_id: KG }, UPDATED)]);
  });
});

describe('HS-FUNDS, HS-TUITION, HS-TEACHERS', () => {
  const funds = (w: RuleWorld, amount: number) =>
    w.add('funds.disbursed', '2025-03-15T10:00:00+08:00', { school_id: HS, fiscal_year: 2025, fund_type: 'per_student_public_funds', amount_yuan: amount });

  it('HS-FUNDS: exactly 1000 yuan per student at year end is quiet, a cent less fires; mid-year it is pro rata', async () => {
    expect(await funds(new RuleWorld().school(HS).students(HS, 100), 100_000).evaluate('HS-FUNDS', T)).toEqual([]);
    const short = funds(new RuleWorld().school(HS).students(HS, 100), 99_999.99);
    const v = await short.evaluate('HS-FUNDS', T);
    expect(identities(v)).toEqual([[HS, '410821', '2025', null]]);
    expect(eventIds(v)).toEqual([short.idOf('school.upserted', { school_id: HS })]);
    expect(await funds(new RuleWorld().school(HS).students(HS, 100), 50_000).evaluate('HS-FUNDS', '2025-07-01T12:00:00+08:00')).toEqual([]);
  });

  it('HS-TUITION: exactly 25% of the cost is quiet, a cent more fires', async () => {
    const w = new RuleWorld()
      .school(HS, { tuition_yuan_per_year: 2250, cost_per_student_yuan_per_year: 9000 })
      .school('3441210002', { tuition_yuan_per_year: 2250.01, cost_per_student_yuan_per_year: 9000 });
    const v = await w.evaluate('HS-TUITION', T);
    expect(identities(v)).toEqual([['3441210002', '410821', '2025', null]]);
    expect(eventIds(v)).toEqual([w.idOf('school.upserted', { school_id: '3441210002' })]);
  });

  it('HS-TEACHERS: exactly 1.10 x students / 12.5 is quiet, one teacher fewer fires', async () => {
    const w = new RuleWorld().school(HS).students(HS, 125);
    for (let i = 0; i < 10; i++) w.staff(`JZ${i}`);
    const v = await w.evaluate('HS-TEACHERS', T);
    expect(identities(v)).toEqual([[HS, '410821', '2025', null]]);
    expect(eventIds(v)).toEqual([w.idOf('school.upserted', { school_id: HS })]);
    w.staff('JZ99');
    expect(await w.evaluate('HS-TEACHERS', T)).toEqual([]);
  });
});

describe('DQ-UNKNOWN-SCHOOL and DQ-STALE-FEED', () => {
  it('DQ-UNKNOWN-SCHOOL names a code no registry record has; one that arrives later by as_of is fine', async () => {
    const w = new RuleWorld()
      .add('funds.disbursed', '2025-03-15T09:55:00+08:00', { school_id: HS, fiscal_year: 2025, fund_type: 'facility', amount_yuan: 10 })
      .school(HS, {}, '2025-03-15T10:00:00+08:00')
      .add('funds.disbursed', '2025-04-01T10:00:00+08:00', { school_id: '3441219999', fiscal_year: 2025, fund_type: 'facility', amount_yuan: 10 })
      .add('wage.paid', '2025-03-01T20:00:00Z', { school_id: '3441219999', staff_id: 'JZ1', period: '2025-02', amount_yuan: 10 });
    const v = await w.evaluate('DQ-UNKNOWN-SCHOOL', T);
    expect(identities(v)).toEqual([['3441219999', null, '2025-03-02', null]]);
    // The first event naming it (stored after a later one), with its type.
    expect(v[0]!.details).toMatchObject({ event_id: w.idOf('wage.paid', { school_id: '3441219999' }), event_type: 'wage.paid' });
  });

  it('DQ-STALE-FEED fires while the admission feed is quiet 30 minutes or more in the season, not at 25 minutes or outside the season', async () => {
    const w = new RuleWorld().school(HS);
    for (const at of ['2025-07-12T10:00:00+08:00', '2025-07-12T10:25:00+08:00', '2025-08-31T23:50:00+08:00'])
      w.add('admission.admitted', at, { school_id: HS, student_id: at, year: 2025, home_region_code: '410821', admission_type: 'unified' });
    // 25 minutes after the last event: quiet, not stale.
    expect(await w.evaluate('DQ-STALE-FEED', '2025-07-12T10:50:00+08:00')).toEqual([]);
    // 45 minutes: stale since 10:55, 45 minutes behind against 30 allowed; one alert for the feed this year.
    const v = await w.evaluate('DQ-STALE-FEED', '2025-07-12T11:10:00+08:00');
    expect(identities(v)).toEqual([[null, null, '2025', 'admission']]);
    expect(v[0]).toMatchObject({
      observed: 45,
      threshold: 30,
      details: { unit: 'minutes', last_event_at: '2025-07-12T10:25:00+08:00', stale_from: '2025-07-12T10:55:00+08:00' },
    });
    // The same quiet spell the next day is the same alert (the same identity), and so is a feed catching up
    // (its last event moved, still 30 minutes behind): a backlog being worked off never resolves and reopens it.
    expect(identities(await w.evaluate('DQ-STALE-FEED', '2025-07-13T09:00:00+08:00'))).toEqual([[null, null, '2025', 'admission']]);
    w.add('admission.admitted', '2025-07-13T08:00:00+08:00', {
      school_id: HS,
      student_id: 'late',
      year: 2025,
      home_region_code: '410821',
      admission_type: 'unified',
    });
    const catchingUp = await w.evaluate('DQ-STALE-FEED', '2025-07-13T09:00:00+08:00');
    expect(identities(catchingUp)).toEqual([[null, null, '2025', 'admission']]);
    expect(catchingUp[0]).toMatchObject({ observed: 60, details: { stale_from: '2025-07-13T08:30:00+08:00' } });
    expect(await w.evaluate('DQ-STALE-FEED', '2025-09-01T00:30:00+08:00')).toEqual([]);
  });

  it('DQ-STALE-FEED fires for the payroll feed after 35 quiet days, in days, and not for a quiet registry', async () => {
    const w = new RuleWorld().school(HS, {}, '2025-01-01T00:00:00+08:00');
    w.add('wage.paid', '2025-03-09T10:00:00+08:00', { school_id: HS, staff_id: 'JZ1', period: '2025-02', amount_yuan: 10 });
    expect(await w.evaluate('DQ-STALE-FEED', '2025-04-13T09:00:00+08:00')).toEqual([]);
    const v = await w.evaluate('DQ-STALE-FEED', '2025-04-14T10:00:00+08:00');
    expect(identities(v)).toEqual([[null, null, '2025', 'payroll']]);
    expect(v[0]).toMatchObject({ observed: 36, threshold: 35, details: { unit: 'days' } });
  });
});

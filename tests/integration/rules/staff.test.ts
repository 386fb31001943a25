/** Wage, insurance and staff rules, each firing on a violation and quiet on the near-miss next to it. */
import { describe, expect, it } from 'vitest';
import { eventIds, identities, pseudonym, RuleWorld } from '../../helpers/ruleWorld.ts';

const HS = '3441210001';
const PRIVATE = '3441210009';
const URBAN = '3441020001';
/** As of mid-February: January is owed (due 10 February), February is not yet. */
const FEB = '2025-02-15T12:00:00+08:00';

function payroll(): RuleWorld {
  return new RuleWorld().school(HS).school(PRIVATE, { ownership: 'private' }).school(URBAN, { region_code: '410802' });
}

const wage = (w: RuleWorld, staff_id: string, amount: number, at = '2025-01-28T10:00:00+08:00', period = '2025-01', school_id = HS) =>
  w.add('wage.paid', at, { school_id, staff_id, period, amount_yuan: amount });

describe('WAGE-MISSING', () => {
  it('fires for an active staff member with no wage for a month past its due date, not before the due date has passed', async () => {
    const w = payroll().staff('JZ001').staff('JZ002').staff('JZ003', { active: false });
    wage(w, 'JZ001', 6000);
    const v = await w.evaluate('WAGE-MISSING', FEB);
    expect(identities(v)).toEqual([[HS, '410821', '2025-01', pseudonym('JZ002')]]);
    // No payment exists to name: the key is there, null.
    expect(v[0]!.details).toHaveProperty('event_id', null);
    expect(await w.evaluate('WAGE-MISSING', '2025-02-10T23:59:59+08:00')).toEqual([]);
  });
});

describe('WAGE-SHORT', () => {
  it('fires when paid more than 1 yuan short; short by exactly 1.00, 0.50 or paid in two instalments is quiet', async () => {
    const w = payroll().staff('JZ001').staff('JZ002').staff('JZ003').staff('JZ004');
    wage(w, 'JZ001', 5998.99);
    wage(w, 'JZ002', 5999);
    wage(w, 'JZ003', 5999.5);
    wage(w, 'JZ004', 3000);
    wage(w, 'JZ004', 3000, '2025-02-03T10:00:00+08:00');
    const v = await w.evaluate('WAGE-SHORT', FEB);
    expect(identities(v)).toEqual([[HS, '410821', '2025-01', pseudonym('JZ001')]]);
    expect([v[0]!.observed, v[0]!.threshold]).toEqual([5998.99, 6000]);
    expect(eventIds(v)).toEqual([w.idOf('wage.paid', { staff_id: 'JZ001' })]);
  });

  it('names the latest of the payments that leave a month short, whoever paid it', async () => {
    const w = payroll().staff('JZ001');
    wage(w, 'JZ001', 1000, '2025-02-03T10:00:00+08:00', '2025-01', PRIVATE);
    wage(w, 'JZ001', 3000, '2025-01-28T10:00:00+08:00');
    wage(w, 'JZ001', 500, '2025-02-01T10:00:00+08:00');
    const v = await w.evaluate('WAGE-SHORT', FEB);
    expect(v.map((x) => [x.observed, x.details.payments])).toEqual([[4500, 3]]);
    expect(eventIds(v)).toEqual([w.idOf('wage.paid', { staff_id: 'JZ001', school_id: PRIVATE })]);
  });
});

describe('WAGE-LATE', () => {
  it('fires on a payment on the 11th (Shanghai), not on one at 23:59 on the 10th', async () => {
    const w = payroll().staff('JZ001').staff('JZ002').staff('JZ003');
    wage(w, 'JZ001', 6000, '2025-02-10T23:59:00+08:00');
    wage(w, 'JZ002', 6000, '2025-02-10T16:30:00Z');
    wage(w, 'JZ003', 6000, '2025-02-11T00:30:00+08:00');
    // A second, later late payment of JZ003: the alert names the earliest late one.
    wage(w, 'JZ003', 10, '2025-02-12T09:00:00+08:00');
    const v = await w.evaluate('WAGE-LATE', FEB);
    const expected = [
      [[HS, '410821', '2025-01', pseudonym('JZ002')], w.idOf('wage.paid', { staff_id: 'JZ002' })],
      [[HS, '410821', '2025-01', pseudonym('JZ003')], w.idOf('wage.paid', { staff_id: 'JZ003', amount_yuan: 6000 })],
    ].sort((a, b) => String(a[0]![3]).localeCompare(String(b[0]![3])));
    expect(identities(v)).toEqual(expected.map((e) => e[0]));
    expect(eventIds(v)).toEqual(expected.map((e) => e[1]));
  });
});

describe('INSURANCE-MISSING', () => {
  it('fires for an owed month with no social insurance paid, not when paid', async () => {
    const w = payroll().staff('JZ001').staff('JZ002');
    w.add('social_insurance.paid', '2025-01-28T11:00:00+08:00', { school_id: HS, staff_id: 'JZ001', period: '2025-01', amount_yuan: 1200 });
    const v = await w.evaluate('INSURANCE-MISSING', FEB);
    expect(identities(v)).toEqual([[HS, '410821', '2025-01', pseudonym('JZ002')]]);
    expect(v[0]!.details).toHaveProperty('event_id', null);
  });
});

describe('STAFF-PUBLIC-AT-PRIVATE', () => {
  it('fires on a public-post teacher placed at a private school, not on a contract teacher there', async () => {
    const w = payroll().staff('JZ001', { school_id: PRIVATE, employment: 'public_post' }, '2025-03-05T10:00:00+08:00').staff('JZ002', { school_id: PRIVATE });
    const v = await w.evaluate('STAFF-PUBLIC-AT-PRIVATE', FEB.replace('02-15', '03-15'));
    expect(identities(v)).toEqual([[PRIVATE, '410821', '2025-03', pseudonym('JZ001')]]);
    expect(eventIds(v)).toEqual([w.idOf('staff.upserted', { staff_id: 'JZ001' })]);
  });

  it('fires on a private school paying a public-post teacher of a public school, not on the public school paying', async () => {
    const w = payroll().staff('JZ001', { employment: 'public_post' }).staff('JZ002', { employment: 'public_post' });
    wage(w, 'JZ001', 1000, '2025-01-29T10:00:00+08:00', '2025-01', PRIVATE);
    wage(w, 'JZ002', 6000);
    // A second private payment the same month: the alert names the first.
    wage(w, 'JZ001', 500, '2025-01-30T10:00:00+08:00', '2025-01', PRIVATE);
    const v = await w.evaluate('STAFF-PUBLIC-AT-PRIVATE', FEB);
    expect(identities(v)).toEqual([[PRIVATE, '410821', '2025-01', pseudonym('JZ001')]]);
    expect(eventIds(v)).toEqual([w.idOf('wage.paid', { staff_id: 'JZ001', amount_yuan: 1000 })]);
  });
});

describe('STAFF-POACHED', () => {
  it('fires on a county teacher moving to an urban high school or joining one 120 days after leaving, not 200 days after', async () => {
    const w = payroll().staff('JZ001').staff('JZ002').staff('JZ003');
    w.staff('JZ001', { school_id: URBAN, region_code: '410802' }, '2025-03-01T10:00:00+08:00');
    w.staff('JZ002', { active: false }, '2025-03-01T10:00:00+08:00').staff('JZ002', { school_id: URBAN, region_code: '410802' }, '2025-06-29T10:00:00+08:00');
    w.staff('JZ003', { active: false }, '2025-03-01T10:00:00+08:00').staff('JZ003', { school_id: URBAN, region_code: '410802' }, '2025-09-17T10:00:00+08:00');
    const v = await w.evaluate('STAFF-POACHED', '2025-12-31T23:59:59+08:00');
    const urban = (staff_id: string) => w.idOf('staff.upserted', { staff_id, school_id: URBAN });
    const expected = [
      [[URBAN, '410802', '2025-03', pseudonym('JZ001')], urban('JZ001')],
      [[URBAN, '410802', '2025-06', pseudonym('JZ002')], urban('JZ002')],
    ].sort((a, b) => `${a[0]![2]}${a[0]![3]}`.localeCompare(`${b[0]![2]}${b[0]![3]}`));
    expect(identities(v)).toEqual(expected.map((e) => e[0]));
    expect(eventIds(v)).toEqual(expected.map((e) => e[1]));
  });
});

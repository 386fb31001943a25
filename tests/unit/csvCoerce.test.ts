import { describe, expect, it } from 'vitest';
import { coerceCsvRecord, fieldKinds } from '../../ingest/csvCoerce.ts';
import { decodeObject } from '../../ingest/decode.ts';

describe('fieldKinds', () => {
  it('reads number, boolean and string fields from the schema (optional ones too)', () => {
    const k = fieldKinds('school.upserted');
    expect(k.get('capacity')).toBe('number');
    expect(k.get('tuition_yuan_per_year')).toBe('number');
    expect(k.get('licensed')).toBe('boolean');
    expect(k.get('puhui')).toBe('boolean');
    expect(k.get('school_id')).toBe('string');
    expect(k.get('region_code')).toBe('string');
    expect(k.get('level')).toBe('string');
    expect(k.get('occurred_at')).toBe('string');
  });

  it('reads every identifier field (normalised by the contract) as a string, so an id of digits keeps its leading zeros', () => {
    for (const field of ['event_id', 'school_id', 'student_id', 'class_id', 'home_region_code'])
      expect(fieldKinds('enrollment.enrolled').get(field)).toBe('string');
    expect(fieldKinds('wage.paid').get('staff_id')).toBe('string');
    expect(fieldKinds('school.upserted').get('township_code')).toBe('string');
  });
});

describe('coerceCsvRecord', () => {
  const wageRow = {
    event_id: 'w1',
    occurred_at: '2025-09-30T17:00:00+08:00',
    school_id: '3441080201',
    staff_id: 'PAY-0000042',
    period: '2025-09',
    amount_yuan: '4321.50',
  };

  it('turns number cells into numbers and keeps digit-only ids as strings', () => {
    const out = coerceCsvRecord('wage.paid', wageRow);
    expect(out).toEqual({ ...wageRow, type: 'wage.paid', amount_yuan: 4321.5 });
    expect(decodeObject(out).ok).toBe(true);
  });

  it('keeps leading zeros of string fields', () => {
    expect(coerceCsvRecord('staff.upserted', { staff_id: '0001234', region_code: '410802' })).toMatchObject({ staff_id: '0001234', region_code: '410802' });
  });

  it('reads booleans as true/false/1/0 in any case', () => {
    const out = coerceCsvRecord('school.upserted', { licensed: 'TRUE', puhui: '0', nonprofit: 'false', township_central: '1' });
    expect(out).toMatchObject({ licensed: true, puhui: false, nonprofit: false, township_central: true });
  });

  it('reads numbers with surrounding spaces, negatives and exponents', () => {
    expect(coerceCsvRecord('population.reported', { year: ' 2025 ', age_3_5: '1e3', age_15_17: '-1' })).toMatchObject({
      year: 2025,
      age_3_5: 1000,
      age_15_17: -1,
    });
  });

  it('leaves a text cell as it is and lets the contract normalise an id with a trailing space', () => {
    const out = coerceCsvRecord('wage.paid', { ...wageRow, staff_id: 'PAY-0000042 ' });
    expect(out.staff_id).toBe('PAY-0000042 ');
    const d = decodeObject(out);
    expect(d.ok && d.event).toMatchObject({ staff_id: 'PAY-0000042' });
  });

  it('treats an empty cell as an absent field', () => {
    const out = coerceCsvRecord('school.upserted', { township_code: '', puhui: '', capacity: '' });
    expect(out).toEqual({ type: 'school.upserted' });
  });

  it('takes the type from its argument, not from a type cell', () => {
    expect(coerceCsvRecord('wage.paid', { type: 'funds.disbursed', event_id: 'x' })).toEqual({ type: 'wage.paid', event_id: 'x' });
  });

  it('leaves an unreadable number or boolean as text, for validation to reject naming the field', () => {
    const out = coerceCsvRecord('wage.paid', { ...wageRow, amount_yuan: '4,321.50' });
    expect(out.amount_yuan).toBe('4,321.50');
    const d = decodeObject(out);
    expect(d.ok ? '' : d.reason).toBe('amount_yuan: expected number, received string');
    expect(coerceCsvRecord('staff.upserted', { active: 'yes' }).active).toBe('yes');
  });

  it('passes unknown columns through as text (they are dropped by validation)', () => {
    const out = coerceCsvRecord('wage.paid', { ...wageRow, remark: '12' });
    expect(out.remark).toBe('12');
    const d = decodeObject(out);
    expect(d.ok && d.event).not.toHaveProperty('remark');
  });
});

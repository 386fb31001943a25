import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { type EventType, eventSchemas, eventTypes, familyOf, messageKey } from '../../domain/contract.ts';
import { fieldKinds } from '../../ingest/csvCoerce.ts';
import { decodeObject } from '../../ingest/decode.ts';
import { RAW_ID, sample } from './samples.ts';

const reasonOf = (v: unknown): string => {
  const d = decodeObject(v);
  if (d.ok) throw new Error(`expected a rejection, got ${JSON.stringify(d.event)}`);
  return d.reason;
};
const shapeOf = (t: EventType) => (eventSchemas[t] as unknown as { shape: Record<string, z.ZodType> }).shape;
const requiredFields = (t: EventType) =>
  Object.entries(shapeOf(t))
    .filter(([, s]) => !s.safeParse(undefined).success)
    .map(([k]) => k);
/** A value of the wrong JSON kind for a field. */
const wrongKind = (t: EventType, field: string): unknown => ({ number: 'twelve', boolean: 'yes', string: 12345 })[fieldKinds(t).get(field) ?? 'string'];

describe('the event contract', () => {
  it('has exactly the 12 event types of docs/contract.md, each on its topic family', () => {
    expect(Object.fromEntries(eventTypes.map((t) => [t, familyOf[t]]))).toEqual({
      'school.upserted': 'registry',
      'staff.upserted': 'registry',
      'township.upserted': 'registry',
      'population.reported': 'registry',
      'admission_plan.published': 'admission',
      'admission.admitted': 'admission',
      'admission.cancelled': 'admission',
      'enrollment.enrolled': 'enrollment',
      'enrollment.left': 'enrollment',
      'funds.disbursed': 'funding',
      'wage.paid': 'funding',
      'social_insurance.paid': 'funding',
    });
  });

  describe.each(eventTypes)('%s', (type) => {
    it('accepts the valid sample', () => {
      const d = decodeObject(sample(type));
      expect(d).toEqual({ ok: true, event: sample(type) });
    });

    it('accepts unknown extra fields and drops them', () => {
      const d = decodeObject({ ...sample(type), future_field: 1, student_name: '张三' });
      expect(d.ok).toBe(true);
      if (d.ok) {
        expect(d.event).not.toHaveProperty('future_field');
        expect(d.event).not.toHaveProperty('student_name');
      }
    });

    it.each(requiredFields(type))('rejects the event without required field %s, naming it', (field) => {
      const e = sample(type);
      delete e[field];
      expect(reasonOf(e)).toMatch(new RegExp(`(^|; )${field}: `));
    });

    it.each(Object.keys(shapeOf(type)))('rejects a mistyped %s, naming it', (field) => {
      expect(reasonOf({ ...sample(type), [field]: wrongKind(type, field) })).toMatch(new RegExp(`(^|; )${field}: `));
    });

    it.each(Object.keys(shapeOf(type)).filter((f) => f !== 'type'))(
      'never echoes a raw id placed in %s (accepted as free text, or rejected without quoting it)',
      (field) => {
        for (const bad of [RAW_ID, `x${RAW_ID}`, { id: RAW_ID }, [RAW_ID]]) {
          const d = decodeObject({ ...sample(type), [field]: bad });
          if (!d.ok) expect(d.reason).not.toContain(RAW_ID);
        }
      },
    );
  });

  describe('missing fields', () => {
    it('says "required field is missing" for a missing plain field', () => {
      const e = sample('wage.paid');
      delete e.amount_yuan;
      delete e.school_id;
      expect(reasonOf(e)).toBe('school_id: required field is missing; amount_yuan: required field is missing');
    });
    it('reports a missing timestamp or enum field as missing', () => {
      const e = sample('enrollment.left');
      delete e.occurred_at;
      delete e.reason;
      expect(reasonOf(e)).toBe('occurred_at: required field is missing; reason: required field is missing');
    });
  });

  describe('timestamps', () => {
    const wage = () => sample('wage.paid');
    it('accepts a timestamp with an offset or Z', () => {
      expect(decodeObject({ ...wage(), occurred_at: '2025-07-02T09:13:00+08:00' }).ok).toBe(true);
      expect(decodeObject({ ...wage(), occurred_at: '2025-07-02T01:13:00.123456Z' }).ok).toBe(true);
    });
    it('rejects a naive timestamp without offset ("2025-07-02T09:13:00"), naming occurred_at', () => {
      expect(reasonOf({ ...wage(), occurred_at: '2025-07-02T09:13:00' })).toBe('occurred_at: expected an ISO-8601 timestamp with offset');
    });
    it('rejects a date alone, a space separator and an impossible date', () => {
      for (const bad of ['2025-07-02', '2025-07-02 09:13:00+08:00', '2025-02-30T09:13:00+08:00']) {
        expect(reasonOf({ ...wage(), occurred_at: bad })).toMatch(/^occurred_at: /);
      }
    });
    it('rejects a naive window_opens_at, naming it', () => {
      expect(reasonOf({ ...sample('admission_plan.published'), window_opens_at: '2025-07-10T08:00:00' })).toMatch(/^window_opens_at: /);
    });
  });

  describe('admission window', () => {
    const plan = (opens: string, closes: string) => ({ ...sample('admission_plan.published'), window_opens_at: opens, window_closes_at: closes });
    it('rejects window_closes_at before window_opens_at, naming window_closes_at', () => {
      expect(reasonOf(plan('2025-07-10T08:00:00+08:00', '2025-07-10T07:59:59+08:00'))).toMatch(/^window_closes_at: .*must not be before window_opens_at/);
    });
    it('accepts a window that closes when it opens', () => {
      expect(decodeObject(plan('2025-07-10T08:00:00+08:00', '2025-07-10T08:00:00+08:00')).ok).toBe(true);
    });
    it('compares instants across offsets, not strings', () => {
      // 00:30Z is 08:30 in Shanghai: after an 08:00+08:00 opening although the string sorts earlier.
      expect(decodeObject(plan('2025-07-10T08:00:00+08:00', '2025-07-10T00:30:00Z')).ok).toBe(true);
      expect(decodeObject(plan('2025-07-10T08:00:00+08:00', '2025-07-09T23:30:00Z')).ok).toBe(false);
    });
    it('rejects a plan_quota of 0', () => {
      expect(reasonOf({ ...sample('admission_plan.published'), plan_quota: 0 })).toMatch(/^plan_quota: /);
    });
  });

  describe('township_code', () => {
    it('must start with region_code (township.upserted)', () => {
      expect(reasonOf({ ...sample('township.upserted'), region_code: '410802', township_code: '410803100' })).toBe(
        'township_code: must start with region_code',
      );
    });
    it('must start with region_code (school.upserted)', () => {
      expect(reasonOf({ ...sample('school.upserted'), region_code: '410802', township_code: '410803100' })).toMatch(/^township_code: /);
    });
    it('is optional on school.upserted', () => {
      const { township_code: _t, ...rest } = sample('school.upserted');
      expect(decodeObject(rest).ok).toBe(true);
    });
    it('must have 9 digits', () => {
      expect(reasonOf({ ...sample('township.upserted'), region_code: '410802', township_code: '41080210' })).toMatch(/^township_code: expected a 9-digit/);
    });
  });

  describe('money', () => {
    it('accepts yuan with 2 decimals, 0, and float noise of a 2-decimal sum (0.1 + 0.2)', () => {
      for (const amount_yuan of [4000.25, 0, 0.1 + 0.2, 999_999_999.99]) {
        expect(decodeObject({ ...sample('wage.paid'), amount_yuan }).ok).toBe(true);
      }
    });
    it('rejects a wage paid with more than 2 decimals, naming amount_yuan', () => {
      expect(reasonOf({ ...sample('wage.paid'), amount_yuan: 4000.255 })).toBe('amount_yuan: expected yuan with at most 2 decimals');
      expect(reasonOf({ ...sample('wage.paid'), amount_yuan: 1.005 })).toMatch(/^amount_yuan: /);
    });
    it('rejects a negative amount, naming amount_yuan', () => {
      expect(reasonOf({ ...sample('funds.disbursed'), amount_yuan: -0.01 })).toMatch(/^amount_yuan: .*>=0/);
    });
    it('rejects an amount given as a string', () => {
      expect(reasonOf({ ...sample('social_insurance.paid'), amount_yuan: '1200.00' })).toBe('amount_yuan: expected number, received string');
    });
    it('applies to monthly_wage_yuan and tuition too', () => {
      expect(reasonOf({ ...sample('staff.upserted'), monthly_wage_yuan: 5000.001 })).toMatch(/^monthly_wage_yuan: /);
      expect(reasonOf({ ...sample('school.upserted'), tuition_yuan_per_year: -1 })).toMatch(/^tuition_yuan_per_year: /);
    });
  });

  describe('identifiers and ranges', () => {
    it('requires a 10-digit school_id, a 6-digit region_code, a YYYY-MM period and a grade 1-3', () => {
      expect(reasonOf({ ...sample('wage.paid'), school_id: '344108020' })).toBe('school_id: expected a 10-digit school id');
      expect(reasonOf({ ...sample('population.reported'), region_code: '41080' })).toBe('region_code: expected a 6-digit region code');
      expect(reasonOf({ ...sample('wage.paid'), period: '2025-13' })).toBe('period: expected a month YYYY-MM');
      expect(reasonOf({ ...sample('enrollment.enrolled'), grade: 4 })).toMatch(/^grade: /);
    });
    it('accepts a home_region_code from outside Jiaozuo', () => {
      expect(decodeObject({ ...sample('admission.admitted'), home_region_code: '410102' }).ok).toBe(true);
    });
    it('requires event_id of 1-64 characters', () => {
      expect(reasonOf({ ...sample('wage.paid'), event_id: '' })).toMatch(/^event_id: /);
      expect(reasonOf({ ...sample('wage.paid'), event_id: 'e'.repeat(65) })).toMatch(/^event_id: /);
      expect(decodeObject({ ...sample('wage.paid'), event_id: 'e'.repeat(64) }).ok).toBe(true);
    });
    it('rejects a value outside an enum, naming the field', () => {
      expect(reasonOf({ ...sample('enrollment.left'), reason: 'expelled' })).toMatch(/^reason: .*"graduated"/);
    });
  });

  describe('identifier normalisation (docs/contract.md, Identifiers)', () => {
    const ID_FIELDS = ['event_id', 'school_id', 'region_code', 'township_code', 'home_region_code', 'student_id', 'staff_id', 'class_id'];
    /** What a Chinese input method types: ASCII letters, digits and hyphens in their full-width forms. */
    const fullWidth = (s: string) => s.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

    it.each(eventTypes)('%s: every identifier field is trimmed and NFKC-normalised before it is checked', (type) => {
      const e = sample(type);
      const fields = ID_FIELDS.filter((f) => typeof e[f] === 'string');
      expect(fields.length).toBeGreaterThan(0);
      const spelled = Object.fromEntries(fields.map((f, i) => [f, i % 2 ? ` ${fullWidth(e[f] as string)}\u3000` : `\u00a0${e[f] as string}\t`]));
      expect(decodeObject({ ...e, ...spelled })).toEqual({ ok: true, event: e });
    });

    it('folds the case of student_id and staff_id (an ID card ending in x is the one ending in X), not of class_id or event_id', () => {
      const d = decodeObject({ ...sample('enrollment.enrolled'), student_id: '41082120090101123x', class_id: 'Ca', event_id: 'ev-Ab' });
      expect(d.ok && d.event).toMatchObject({ student_id: '41082120090101123X', class_id: 'Ca', event_id: 'ev-Ab' });
      const w = decodeObject({ ...sample('wage.paid'), staff_id: 'pay-0000042' });
      expect(w.ok && w.event).toMatchObject({ staff_id: 'PAY-0000042' });
    });

    it('rejects a blank id (only spaces) as empty', () => {
      expect(reasonOf({ ...sample('wage.paid'), staff_id: ' \u3000 ' })).toMatch(/^staff_id: Too small/);
    });

    it.each(['student_id', 'school_id', 'event_id'])('rejects %s in scientific notation (Excel), saying so without quoting it', (field) => {
      const type = field === 'student_id' ? 'admission.admitted' : 'wage.paid';
      const reason = reasonOf({ ...sample(type), [field]: '4.10821E+17' });
      expect(reason).toBe(
        `${field}: looks like a number in scientific notation (d.dddddE+17): Excel rounds long ids, so different people become one; format the column as text and export it again`,
      );
    });
  });

  describe('messageKey', () => {
    it("is the event's school_id where it has one, else its region_code", () => {
      expect(messageKey(sample('wage.paid'))).toBe(sample('wage.paid').school_id);
      expect(messageKey(sample('population.reported'))).toBe(sample('population.reported').region_code);
      const bureau = sample('staff.upserted');
      delete bureau.school_id;
      expect(messageKey(bureau)).toBe(bureau.region_code);
    });
  });
});

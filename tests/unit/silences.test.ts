import { describe, expect, it } from 'vitest';
import { activeSilence, isSilenced, type Silence } from '../../alerts/silences.ts';

const alert = { rule: 'ADM-OVER-QUOTA', school_id: '3441210001', region_code: '410821' };
const silence = (over: Partial<Silence> = {}): Silence => ({
  id: 's1',
  rule: 'ADM-OVER-QUOTA',
  school_id: null,
  region_code: null,
  until: '2025-08-01T00:00:00.000Z',
  reason: 'plan amendment pending',
  created_at: '2025-07-01T00:00:00.000Z',
  ...over,
});
const AT = new Date('2025-07-15T00:00:00Z');

describe('a silence', () => {
  it('with neither school nor region mutes its rule everywhere, and no other rule', () => {
    expect(isSilenced(alert, [silence()], AT)).toBe(true);
    expect(isSilenced({ ...alert, rule: 'ADM-CROSS-REGION' }, [silence()], AT)).toBe(false);
  });

  it('for a region mutes its rule in that region only', () => {
    expect(isSilenced(alert, [silence({ region_code: '410821' })], AT)).toBe(true);
    expect(isSilenced(alert, [silence({ region_code: '410822' })], AT)).toBe(false);
    expect(isSilenced({ ...alert, region_code: null }, [silence({ region_code: '410821' })], AT)).toBe(false);
  });

  it('for a school mutes its rule at that school only', () => {
    expect(isSilenced(alert, [silence({ school_id: '3441210001' })], AT)).toBe(true);
    expect(isSilenced(alert, [silence({ school_id: '3441210002' })], AT)).toBe(false);
    expect(isSilenced({ ...alert, school_id: null }, [silence({ school_id: '3441210001' })], AT)).toBe(false);
  });

  it('holds from its creation until, not including, its end', () => {
    expect(isSilenced(alert, [silence()], new Date('2025-07-01T00:00:00Z'))).toBe(true);
    expect(isSilenced(alert, [silence()], new Date('2025-06-30T23:59:59Z'))).toBe(false);
    expect(isSilenced(alert, [silence()], new Date('2025-07-31T23:59:59.999Z'))).toBe(true);
    expect(isSilenced(alert, [silence()], new Date('2025-08-01T00:00:00Z'))).toBe(false);
  });

  it('in force is the first that matches; none matches no silence', () => {
    const expired = silence({ id: 'old', until: '2025-07-10T00:00:00Z' });
    const other = silence({ id: 'other', region_code: '410822' });
    expect(activeSilence(alert, [expired, other, silence({ id: 'mine' }), silence({ id: 'later' })], AT)?.id).toBe('mine');
    expect(activeSilence(alert, [expired, other], AT)).toBeUndefined();
    expect(isSilenced(alert, [], AT)).toBe(false);
  });
});

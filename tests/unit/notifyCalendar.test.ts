/**
 * The holiday calendar and mute windows (alerts/notify/calendar.ts). Expected dates are the State
 * Council's notices: 2026 (国办发明电〔2025〕7号, gov.cn content_7047091): 春节 2月15日至23日放假调休，
 * 共9天，2月14日（周六）、2月28日（周六）上班; 2025 (国办发明电〔2024〕12号): 国庆节、中秋节 10月1日至8日，
 * 共8天，9月28日（周日）、10月11日（周六）上班.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calendarCoversYear, calendarGap, dayKind, dayOf, type MuteSettings, muteUntil, upcomingHolidays } from '../../alerts/notify/calendar.ts';
import { calendarStaleViolation } from '../../alerts/notify/calendarStale.ts';
import { formatShanghai } from '../../core/shanghai.ts';

const at = (s: string) => Date.parse(s);
const settings = (o: Partial<MuteSettings> = {}): MuteSettings => ({ muteWindows: [], muteHolidays: true, calendarOverrides: [], ...o });
const night = settings({ muteWindows: [{ from: '22:00', to: '07:00' }] });
/** muteUntil with its end shown in Asia/Shanghai, as a reader would check it. */
const mute = (when: string, s: MuteSettings) => {
  const m = muteUntil(at(when), s);
  return m && { until: formatShanghai(m.until), reason: m.reason };
};

describe('dayKind: the package’s official calendar', () => {
  it('Spring Festival 2026: 2-15..2-23 off (weekend days included), 2-14 and 2-28 make-up workdays', () => {
    expect(dayOf('2026-02-14')).toEqual({ date: '2026-02-14', kind: 'makeup-workday', name: '春节', overridden: false });
    for (const d of ['2026-02-15', '2026-02-16', '2026-02-21', '2026-02-22', '2026-02-23']) expect(dayOf(d)).toMatchObject({ kind: 'holiday', name: '春节' });
    expect(dayKind('2026-02-13')).toBe('workday');
    expect(dayKind('2026-02-24')).toBe('workday');
    expect(dayKind('2026-02-28')).toBe('makeup-workday');
    expect(dayKind('2026-03-07')).toBe('weekend');
    expect(dayKind('2026-03-08')).toBe('weekend');
  });

  it('National Day 2025 with Mid-autumn: 10-1..10-8 off, 9-28 (Sunday) and 10-11 (Saturday) make-up workdays', () => {
    expect(dayOf('2025-10-01')).toMatchObject({ kind: 'holiday', name: '国庆节' });
    expect(dayOf('2025-10-06')).toMatchObject({ kind: 'holiday', name: '中秋节' });
    expect(dayOf('2025-10-08')).toMatchObject({ kind: 'holiday', name: '国庆节' });
    expect(dayKind('2025-10-09')).toBe('workday');
    expect(dayOf('2025-09-28')).toMatchObject({ kind: 'makeup-workday', name: '国庆节' });
    expect(dayKind('2025-10-11')).toBe('makeup-workday');
  });

  it('a year the package has no data for (2028): only the fixed-date statutory holidays, 元旦 1-1, 劳动节 5-1..5-2, 国庆节 10-1..10-3', () => {
    expect(calendarCoversYear(2026)).toBe(true);
    expect(calendarCoversYear(2028)).toBe(false);
    // 《全国年节及纪念日放假办法》 art. 2 (国务院令第795号): on the date, whatever the weekday (2028-01-01 is a Saturday).
    expect(dayOf('2028-01-01')).toEqual({ date: '2028-01-01', kind: 'holiday', name: '元旦', overridden: false });
    for (const d of ['2028-05-01', '2028-05-02']) expect(dayOf(d)).toMatchObject({ kind: 'holiday', name: '劳动节' });
    for (const d of ['2028-10-01', '2028-10-02', '2028-10-03']) expect(dayOf(d)).toMatchObject({ kind: 'holiday', name: '国庆节' });
    expect(dayKind('2028-05-03')).toBe('workday');
    expect(dayKind('2028-10-04')).toBe('workday');
    // 春节 (正月初一, a Wednesday) follows the lunar calendar: unknown until the notice.
    expect(dayKind('2028-01-26')).toBe('workday');
    // A year the package covers keeps the notice's arrangement (2026's 劳动节 is 5-1..5-5).
    expect(dayOf('2026-05-05')).toMatchObject({ kind: 'holiday', name: '劳动节' });
  });

  it('an override wins over a fixed-date holiday, and any override dated in a year covers that year', () => {
    expect(dayKind('2027-01-01', [{ date: '2027-01-01', kind: 'workday' }])).toBe('workday');
    expect(calendarCoversYear(2027)).toBe(false);
    expect(calendarCoversYear(2027, [{ date: '2027-02-06', kind: 'holiday', name: '春节' }])).toBe(true);
  });

  it('overrides: a declared holiday, a cancelled one, a declared 调休 Saturday; the last listed wins', () => {
    const overrides = [
      { date: '2026-03-02', kind: 'holiday' as const, name: '焦作市防汛停课' },
      { date: '2026-02-23', kind: 'workday' as const },
      { date: '2026-03-07', kind: 'workday' as const, name: '春节' },
      { date: '2026-03-09', kind: 'holiday' as const },
      { date: '2026-03-09', kind: 'workday' as const },
    ];
    expect(dayOf('2026-03-02', overrides)).toEqual({ date: '2026-03-02', kind: 'holiday', name: '焦作市防汛停课', overridden: true });
    expect(dayKind('2026-02-23', overrides)).toBe('workday');
    expect(dayOf('2026-03-07', overrides)).toMatchObject({ kind: 'makeup-workday', name: '春节' });
    expect(dayKind('2026-03-09', overrides)).toBe('workday');
    expect(dayKind('2026-02-22', overrides)).toBe('holiday');
  });

  it('rejects what is no date', () => {
    expect(() => dayKind('2026-02-30')).toThrow(RangeError);
    expect(() => dayKind('2026-2-3')).toThrow(/not a date/);
  });
});

describe('muteUntil', () => {
  it('lets a notice out on the 调休 Saturday 2026-02-14 and on an ordinary weekend', () => {
    expect(mute('2026-02-14T10:00:00+08:00', settings())).toBeNull();
    expect(mute('2026-03-07T10:00:00+08:00', settings())).toBeNull();
    expect(mute('2026-02-24T00:00:00+08:00', settings())).toBeNull();
  });

  it('holds a notice on 2026-02-16 until the holiday ends at 2026-02-24 00:00, or 07:00 with a night window', () => {
    expect(mute('2026-02-16T10:00:00+08:00', settings())).toEqual({ until: '2026-02-24T00:00:00+08:00', reason: '法定节假日：春节' });
    expect(mute('2026-02-16T10:00:00+08:00', night)).toEqual({ until: '2026-02-24T07:00:00+08:00', reason: '法定节假日：春节；静默时段 22:00–07:00' });
    // The last moment of the holiday (23:59:59.999 +08:00 is 15:59:59.999Z).
    expect(mute('2026-02-23T15:59:59.999Z', settings())).toEqual({ until: '2026-02-24T00:00:00+08:00', reason: '法定节假日：春节' });
  });

  it('runs a night window that ends on the first day of 春节 on to the end of the holiday', () => {
    expect(mute('2026-02-14T23:00:00+08:00', night)).toEqual({ until: '2026-02-24T07:00:00+08:00', reason: '静默时段 22:00–07:00；法定节假日：春节' });
  });

  it('gathers the names of adjoining holidays: National Day 2025 with 中秋节', () => {
    expect(mute('2025-10-03T12:00:00+08:00', settings())).toEqual({ until: '2025-10-09T00:00:00+08:00', reason: '法定节假日：国庆节、中秋节' });
  });

  it('a night window alone, on an ordinary day: from inclusive, to exclusive, wrapping midnight', () => {
    const w = '静默时段 22:00–07:00';
    expect(mute('2026-03-03T21:59:59.999+08:00', night)).toBeNull();
    expect(mute('2026-03-03T22:00:00+08:00', night)).toEqual({ until: '2026-03-04T07:00:00+08:00', reason: w });
    expect(mute('2026-03-04T06:59:00+08:00', night)).toEqual({ until: '2026-03-04T07:00:00+08:00', reason: w });
    expect(mute('2026-03-04T07:00:00+08:00', night)).toBeNull();
    const lunch = settings({ muteWindows: [{ from: '12:00', to: '13:30' }] });
    expect(mute('2026-03-04T12:00:00+08:00', lunch)).toEqual({ until: '2026-03-04T13:30:00+08:00', reason: '静默时段 12:00–13:30' });
    expect(mute('2026-03-04T13:30:00+08:00', lunch)).toBeNull();
  });

  it('chains windows that meet: 22:00–00:00 then 00:00–07:00', () => {
    const split = settings({
      muteWindows: [
        { from: '22:00', to: '00:00' },
        { from: '00:00', to: '07:00' },
      ],
    });
    expect(mute('2026-03-03T23:00:00+08:00', split)).toEqual({ until: '2026-03-04T07:00:00+08:00', reason: '静默时段 22:00–00:00；静默时段 00:00–07:00' });
  });

  it('does not hold for holidays when muteHolidays is off', () => {
    expect(mute('2026-02-16T10:00:00+08:00', settings({ muteHolidays: false }))).toBeNull();
    expect(mute('2026-02-16T23:00:00+08:00', { ...night, muteHolidays: false })).toEqual({
      until: '2026-02-17T07:00:00+08:00',
      reason: '静默时段 22:00–07:00',
    });
  });

  it('follows the overrides: a declared holiday is muted, a cancelled holiday day is not', () => {
    const overrides = [
      { date: '2026-03-02', kind: 'holiday' as const, name: '焦作市防汛停课' },
      { date: '2026-02-23', kind: 'workday' as const },
    ];
    expect(mute('2026-03-02T09:00:00+08:00', settings({ calendarOverrides: overrides }))).toEqual({
      until: '2026-03-03T00:00:00+08:00',
      reason: '节假日（配置）：焦作市防汛停课',
    });
    expect(mute('2026-02-16T10:00:00+08:00', settings({ calendarOverrides: overrides }))).toEqual({
      until: '2026-02-23T00:00:00+08:00',
      reason: '法定节假日：春节',
    });
  });

  it('refuses windows that leave no moment of the day', () => {
    const always = settings({
      muteWindows: [
        { from: '00:00', to: '12:00' },
        { from: '12:00', to: '00:00' },
      ],
    });
    expect(() => muteUntil(at('2026-03-04T10:00:00+08:00'), always)).toThrow(/no moment of the day unmuted/);
  });
});

describe('upcomingHolidays', () => {
  it('lists the next three holiday periods from today, an ongoing one included', () => {
    expect(upcomingHolidays(at('2026-02-10T09:00:00+08:00'))).toEqual([
      { name: '春节', from: '2026-02-15', to: '2026-02-23', days: 9 },
      { name: '清明节', from: '2026-04-04', to: '2026-04-06', days: 3 },
      { name: '劳动节', from: '2026-05-01', to: '2026-05-05', days: 5 },
    ]);
    expect(upcomingHolidays(at('2026-02-16T09:00:00+08:00'), [], 1)).toEqual([{ name: '春节', from: '2026-02-15', to: '2026-02-23', days: 9 }]);
    expect(upcomingHolidays(at('2025-09-30T09:00:00+08:00'), [], 1)).toEqual([{ name: '国庆节、中秋节', from: '2025-10-01', to: '2025-10-08', days: 8 }]);
  });

  it('finds only the fixed-date holidays beyond the package’s data, and what the overrides declare', () => {
    expect(upcomingHolidays(at('2026-12-01T09:00:00+08:00'))).toEqual([
      { name: '元旦', from: '2027-01-01', to: '2027-01-01', days: 1 },
      { name: '劳动节', from: '2027-05-01', to: '2027-05-02', days: 2 },
      { name: '国庆节', from: '2027-10-01', to: '2027-10-03', days: 3 },
    ]);
    const spring = [2, 3, 4, 5, 6, 7, 8, 9].map((d) => ({ date: `2027-02-0${d}`, kind: 'holiday' as const, name: '春节' }));
    expect(upcomingHolidays(at('2026-12-01T09:00:00+08:00'), spring, 2)).toEqual([
      { name: '元旦', from: '2027-01-01', to: '2027-01-01', days: 1 },
      { name: '春节', from: '2027-02-02', to: '2027-02-09', days: 8 },
    ]);
  });
});

describe('calendarGap: when the calendar stops being covered (DQ-CALENDAR-STALE)', () => {
  it('is null while the next 60 days are covered, and names 2027-01-01 from 60 days before it', () => {
    expect(calendarGap(at('2026-11-01T23:59:59+08:00'))).toBeNull(); // 2026-12-31 is 60 days on
    expect(calendarGap(at('2026-11-02T00:00:00+08:00'))).toEqual({ firstUncoveredDay: '2027-01-01', daysAhead: 60 });
    expect(calendarGap(at('2026-12-07T10:00:00+08:00'))).toEqual({ firstUncoveredDay: '2027-01-01', daysAhead: 25 });
  });

  it('keeps naming the year’s first day once it has come, and moves on once the year is covered', () => {
    expect(calendarGap(at('2027-03-01T10:00:00+08:00'))).toEqual({ firstUncoveredDay: '2027-01-01', daysAhead: 0 });
    const notice = [{ date: '2027-02-06', kind: 'holiday' as const, name: '春节' }];
    expect(calendarGap(at('2026-12-07T10:00:00+08:00'), notice)).toBeNull();
    expect(calendarGap(at('2027-11-10T10:00:00+08:00'), notice)).toEqual({ firstUncoveredDay: '2028-01-01', daysAhead: 52 });
  });

  it('makes one DQ-CALENDAR-STALE violation per uncovered year, naming the day and the key to fill', () => {
    expect(calendarStaleViolation({ firstUncoveredDay: '2027-01-01', daysAhead: 25 })).toEqual({
      rule: 'DQ-CALENDAR-STALE',
      school_id: null,
      region_code: null,
      period: '2027-01-01',
      subject: 'notify.calendarOverrides',
      observed: 25,
      threshold: 60,
      details: {
        first_uncovered_day: '2027-01-01',
        config_key: 'notify.calendarOverrides',
        calendar: 'chinese-days 1.5.7',
        known_without_notice: '元旦、劳动节、国庆节',
      },
    });
  });

  it('mutes 元旦 2027 though the package has no 2027: held until 2 January 00:00', () => {
    expect(mute('2027-01-01T10:00:00+08:00', settings())).toEqual({ until: '2027-01-02T00:00:00+08:00', reason: '法定节假日：元旦' });
    expect(mute('2027-01-01T10:00:00+08:00', settings({ calendarOverrides: [{ date: '2027-01-01', kind: 'workday' }] }))).toBeNull();
  });
});

describe('host time zone', () => {
  const saved = process.env.TZ;
  beforeAll(() => {
    process.env.TZ = 'America/New_York';
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  });

  it('gives the same days and mutes on a host in New York', () => {
    // The zone did change: Shanghai's 2026-02-16 00:00 is still the 15th in New York.
    expect(new Date(at('2026-02-16T00:00:00+08:00')).getDate()).toBe(15);
    expect(dayKind('2026-02-14')).toBe('makeup-workday');
    expect(dayKind('2026-02-23')).toBe('holiday');
    expect(mute('2026-02-14T10:00:00+08:00', settings())).toBeNull();
    expect(mute('2026-02-16T10:00:00+08:00', night)).toEqual({ until: '2026-02-24T07:00:00+08:00', reason: '法定节假日：春节；静默时段 22:00–07:00' });
    expect(mute('2026-03-03T22:30:00+08:00', night)?.until).toBe('2026-03-04T07:00:00+08:00');
  });
});

/**
 * A realistic weekly digest for the city (焦作市, 410800) in 2025-W27 (30 June to 6 July 2025,
 * the start of the admission season), in one place for the tests of the renderer and the workbook
 * and for the screenshot in docs/img/weekly-digest.png (tools/screenshotDigest.ts): all 12 regions,
 * the 15 figures with targets from the plans (sql/rules/*.sql), 8-week trends with a missing week,
 * some targets missed, some figures worse, a stale payroll feed, rejected messages, the alerts
 * of the week and two rules officials judged often wrong. Numbers are made up but deterministic
 * (no clock, no random source).
 */
import { CITY_CODE, regions } from '../../core/regions.ts';
import type { Digest, FigureDef, FigureId, FigureValue, IsoWeek, Worse } from './model.ts';

/** The figures' definitions as the config's thresholds give them (the plans' targets). */
export function sampleFigureDefs(): FigureDef[] {
  const pct = (id: FigureId, zh: string, en: string, target: number, source: string): FigureDef => ({
    id,
    zh,
    en,
    unit: '%',
    target,
    better: 'higher',
    source,
  });
  const gap = (id: FigureId, zh: string, en: string, unit: FigureDef['unit'], source: string): FigureDef => ({
    id,
    zh,
    en,
    unit,
    target: 0,
    better: 'lower',
    source,
  });
  const wage = '学前 6：「确保教师工资及时足额发放、同工同酬。」';
  const insurance = '学前 6：「督促各类幼儿园依法依规足额足项为教职工缴纳社会保险和住房公积金。」';
  return [
    pct('kgGer', '学前三年毛入园率', 'Preschool gross enrolment rate', 97, '学前 一：「到2025年，全市学前三年毛入园率达到97%以上」'),
    pct('kgPuhui', '普惠性幼儿园覆盖率', 'Affordable (puhui) kindergarten coverage', 90, '学前 一：「普惠性幼儿园覆盖率达到90%以上」'),
    pct('kgPublicShare', '公办园在园幼儿占比', 'Share of children in public kindergartens', 50, '学前 一：「公办园在园幼儿占比达到50%以上」'),
    {
      id: 'kgTeacherRatio',
      zh: '公办园专任教师师幼比',
      en: 'Children per full-time teacher (public kindergartens)',
      unit: 'ratio',
      target: 15,
      better: 'lower',
      source: '学前 6：「专任教师总数与在园幼儿总数之比不低于1：15」',
    },
    {
      id: 'newPublicPlaces',
      zh: '新增公办学位（2022年以来）',
      en: 'New public kindergarten places since 2022',
      unit: 'count',
      target: 10000,
      better: 'higher',
      source: '学前 2：「2022年至2025年间，新增公办学位1万个。」',
    },
    pct('hsGer', '高中阶段毛入学率', 'High-school-stage gross enrolment rate', 95, '县中 二：「推动高中阶段教育毛入学率达到95%以上。」'),
    {
      id: 'hsFunds',
      zh: '县中生均公用经费（元/年）',
      en: 'County high schools: public funds per student (yuan a year)',
      unit: 'yuan',
      target: 1000,
      better: 'higher',
      source: '县中 18：「按照每生每年不低于1000元的标准……足额拨付生均公用经费。」',
    },
    gap('oversizeClasses', '大班额班级数（超过55人）', 'Oversized classes (over 55)', 'count', '县中 17：「新入学年级班额不得超过55人。」'),
    gap('oversizeSchools', '有大班额的学校数', 'Schools with oversized classes', 'count', '县中 17：「全面消除普通高中大班额」'),
    gap('wageGapStaff', '工资未足额发放人数', 'Staff not paid in full', 'count', wage),
    gap('wageGapMonths', '欠发工资人月数', 'Staff-months of unpaid wages', 'count', wage),
    gap('wageGapYuan', '欠发工资金额（元）', 'Unpaid wages (yuan)', 'yuan', wage),
    gap('insuranceGapStaff', '社保未缴人数', 'Staff without social insurance paid', 'count', insurance),
    gap('insuranceGapMonths', '社保欠缴人月数', 'Staff-months of unpaid social insurance', 'count', insurance),
    gap('insuranceGapYuan', '社保欠缴金额（元）', 'Unpaid social insurance (yuan)', 'yuan', insurance),
  ];
}

/** 2025-W27 in Asia/Shanghai: Monday 30 June 00:00 to Monday 7 July 00:00 (+08:00). */
export const SAMPLE_WEEK: IsoWeek = {
  label: '2025-W27',
  year: 2025,
  week: 27,
  start: '2025-06-29T16:00:00.000Z',
  end: '2025-07-06T16:00:00.000Z',
  asOf: '2025-07-06T15:59:59.999Z',
};

/** The rule titles the sample's alerts name (sql/rules/*.sql), for the renderer's `ruleTitle`. */
export const SAMPLE_RULE_TITLES: Readonly<Record<string, string>> = {
  'ADM-OVER-QUOTA': '超计划招生',
  'ADM-CROSS-REGION': '违规跨区域招生',
  'ADM-CLASS-SIZE': '大班额',
  'KG-GER': '学前三年毛入园率',
  'KG-PUHUI': '普惠性幼儿园覆盖率',
  'WAGE-MISSING': '工资未发放',
  'INSURANCE-MISSING': '社保未缴',
  'HS-FUNDS': '生均公用经费不足',
  'DQ-STALE-FEED': '数据源中断',
  'DQ-UNKNOWN-SCHOOL': '未登记学校',
};

/** A deterministic number in [0, 1) from two small integers (no random source: the sample must not change). */
function noise(a: number, b: number): number {
  const x = Math.sin(a * 12.9898 + b * 78.233) * 43758.5453;
  return x - Math.floor(x);
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

/** Each figure's level in an average county and its weekly drift (positive: rising). */
const LEVEL: Record<FigureId, { base: number; spread: number; drift: number; digits: number }> = {
  kgGer: { base: 96.4, spread: 2.4, drift: 0.12, digits: 1 },
  kgPuhui: { base: 90.5, spread: 3, drift: 0.05, digits: 1 },
  kgPublicShare: { base: 52, spread: 6, drift: 0.1, digits: 1 },
  kgTeacherRatio: { base: 14.2, spread: 2.2, drift: 0.02, digits: 1 },
  newPublicPlaces: { base: 820, spread: 300, drift: 12, digits: 0 },
  hsGer: { base: 94.6, spread: 2.6, drift: 0.08, digits: 1 },
  hsFunds: { base: 1010, spread: 80, drift: 0, digits: 0 },
  oversizeClasses: { base: 0.5, spread: 8, drift: 0.3, digits: 0 },
  oversizeSchools: { base: -0.5, spread: 4, drift: 0.05, digits: 0 },
  wageGapStaff: { base: -4, spread: 16, drift: 0.1, digits: 0 },
  wageGapMonths: { base: -6, spread: 24, drift: 0.1, digits: 0 },
  wageGapYuan: { base: -30000, spread: 100000, drift: 200, digits: 0 },
  insuranceGapStaff: { base: -3, spread: 10, drift: 0.05, digits: 0 },
  insuranceGapMonths: { base: -5, spread: 16, drift: 0.05, digits: 0 },
  insuranceGapYuan: { base: -12000, spread: 40000, drift: 100, digits: 0 },
};

/** The five urban districts have no county high schools: 县中 funds are not theirs. */
const DISTRICTS = new Set(['410802', '410803', '410804', '410811', '410871']);

/** One county's (or district's) 8 weekly values of a figure, oldest first. */
function countyTrend(def: FigureDef, f: number, r: number): Array<number | null> {
  if (def.id === 'hsFunds' && DISTRICTS.has(regions[r]!.code)) return Array(8).fill(null);
  const { base, spread, drift, digits } = LEVEL[def.id];
  const level = base + (noise(f, r) - 0.5) * spread;
  return Array.from({ length: 8 }, (_, w) => {
    // 孟州市's payroll report of W24 never came: a missing week inside the trend.
    if (def.id.startsWith('wage') && regions[r]!.code === '410883' && w === 3) return null;
    const wobble = (noise(f * 31 + w, r * 17) - 0.5) * spread * 0.08;
    const v = level + drift * (w - 7) + wobble;
    return Math.max(0, round(v, digits));
  });
}

/** A figure's value meets its target (null: no target or no value). */
function meets(def: FigureDef, value: number | null): boolean | null {
  if (value === null || def.target === null) return null;
  return def.better === 'higher' ? value >= def.target : value <= def.target;
}

/** The sample digest for the city's reader: all 12 regions, the city first, 15 figures each. */
export function sampleDigest(): Digest {
  const defs = sampleFigureDefs();
  const counties = regions.filter((r) => r.code !== CITY_CODE);
  const figures: FigureValue[] = [];
  const worse: Worse[] = [];
  defs.forEach((def, f) => {
    const rows = counties.map((region) => ({ region: region.code, trend: countyTrend(def, f, regions.indexOf(region)) }));
    // The city: the counties' sum for counts and money, their mean for rates and ratios (the real figures weigh by population).
    const sum = def.unit === 'count' || (def.unit === 'yuan' && def.id !== 'hsFunds');
    const cityTrend = Array.from({ length: 8 }, (_, w) => {
      const vs = rows.map((r) => r.trend[w]).filter((v): v is number => v !== null && v !== undefined);
      if (vs.length === 0) return null;
      const total = vs.reduce((a, b) => a + b, 0);
      return round(sum ? total : total / vs.length, LEVEL[def.id].digits);
    });
    for (const { region, trend } of [{ region: CITY_CODE, trend: cityTrend }, ...rows]) {
      const value = trend[7] ?? null;
      const previous = trend[6] ?? null;
      const change = value === null || previous === null ? null : round(value - previous, LEVEL[def.id].digits);
      const met = def.id === 'newPublicPlaces' && region !== CITY_CODE ? null : meets(def, value);
      // 县中 funds are judged per year: as of W27, pro rata to the two quarters ended.
      figures.push({
        figure: def.id,
        region,
        value,
        previous,
        change,
        met,
        trend,
        ...(def.id === 'hsFunds' ? { period: { fiscalYear: 2025, quarters: 2 } } : {}),
      });
      const wasMet = def.id === 'newPublicPlaces' && region !== CITY_CODE ? null : meets(def, previous);
      if (met === false && wasMet === true) worse.push({ figure: def.id, region, reason: 'new-shortfall', change });
      else if (change !== null && change !== 0 && def.target !== null && isWorse(def, change)) worse.push({ figure: def.id, region, reason: 'worse', change });
    }
  });
  return {
    week: SAMPLE_WEEK,
    regions: regions.map((r) => r.code),
    figures,
    worse,
    quality: {
      staleFeeds: [{ feed: 'payroll', behind: 9, unit: 'days' }],
      failedRules: [],
      rejections: [
        { reason: 'schema: school_id missing', count: 37 },
        { reason: 'event_id carries a raw student id', count: 3 },
        { reason: 'invalid UTF-8', count: 2 },
      ],
      unknownSchools: 4,
      unknownSchoolList: [
        { schoolId: '3441010009', firstSeen: '2025-02-24' },
        { schoolId: '3441080017', firstSeen: '2025-05-06' },
        { schoolId: '3441100023', firstSeen: '2025-06-30' },
        { schoolId: '3441210031', firstSeen: '2025-07-02' },
      ],
    },
    alerts: {
      opened: [
        { rule: 'ADM-OVER-QUOTA', region: '410823', count: 2 },
        { rule: 'ADM-CROSS-REGION', region: '410823', count: 1 },
        { rule: 'ADM-CROSS-REGION', region: '410811', count: 3 },
        { rule: 'ADM-CLASS-SIZE', region: '410882', count: 2 },
        { rule: 'DQ-STALE-FEED', region: null, count: 1 },
      ],
      resolved: [
        { rule: 'ADM-OVER-QUOTA', region: '410825', count: 1 },
        { rule: 'WAGE-MISSING', region: '410821', count: 4 },
      ],
      stillOpen: [
        { rule: 'ADM-OVER-QUOTA', region: '410823', count: 2 },
        { rule: 'ADM-CROSS-REGION', region: '410811', count: 2 },
        { rule: 'ADM-CLASS-SIZE', region: '410882', count: 2 },
        { rule: 'KG-GER', region: '410804', count: 1 },
        { rule: 'INSURANCE-MISSING', region: '410883', count: 3 },
        { rule: 'DQ-STALE-FEED', region: null, count: 1 },
      ],
      flaps: [],
      oldestUnacked: [],
    },
    detected: {
      opened: [
        { rule: 'ADM-OVER-QUOTA', region: '410823', count: 2 },
        { rule: 'ADM-CROSS-REGION', region: '410811', count: 3 },
        { rule: 'DQ-STALE-FEED', region: null, count: 1 },
      ],
      flaps: [{ alertId: 'a-20250703-0112', rule: 'ADM-CROSS-REGION', region: '410811', reopens: 4 }],
      oldestUnacked: [
        {
          alertId: 'a-20250612-0007',
          rule: 'INSURANCE-MISSING',
          region: '410883',
          schoolId: '410883102',
          openedAt: '2025-06-12T01:30:00Z',
          ageDays: 24,
        },
        { alertId: 'a-20250628-0041', rule: 'KG-GER', region: '410804', schoolId: null, openedAt: '2025-06-28T16:00:00Z', ageDays: 8 },
        { alertId: 'a-20250702-0090', rule: 'ADM-CLASS-SIZE', region: '410882', schoolId: '410882003', openedAt: '2025-07-02T07:12:00Z', ageDays: 4 },
      ],
    },
    judged: {
      since: '2025-06-08T16:00:00.000Z',
      until: SAMPLE_WEEK.end,
      days: 28,
      floor: 0.7,
      minimum: 5,
      rules: [
        { rule: 'ADM-CROSS-REGION', judged: 12, precision: 7 / 12, confirmed: 5, fixed: 2, dataWrong: 3, falseAlarm: 2 },
        { rule: 'ADM-CLASS-SIZE', judged: 8, precision: 5 / 8, confirmed: 4, fixed: 1, dataWrong: 3, falseAlarm: 0 },
      ],
    },
    composedAt: '2025-07-07T00:30:00Z',
  };
}

/** Whether a change of `change` makes the figure worse by more than the sample's threshold (1 point, or 10% of a count). */
function isWorse(def: FigureDef, change: number): boolean {
  const bad = def.better === 'higher' ? -change : change;
  if (def.unit === '%' || def.unit === 'ratio') return bad >= 0.3;
  return bad > 0 && def.target === 0;
}

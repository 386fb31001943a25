/**
 * The weekly indicator digest's shapes, declared once (issue 13): the week, the figures with their
 * targets and trend (alerts/digest/figures.ts computes them from the asof_* macros), the data
 * quality and alerts of the week, and what the renderer (alerts/digest/render.ts) makes of one
 * digest for one reader. Times are ISO 8601 UTC; weeks are ISO weeks in Asia/Shanghai.
 */

/** An ISO week in Asia/Shanghai: Monday 00:00 to the next Monday 00:00 (exclusive). */
export interface IsoWeek {
  /** `2025-W27`. */
  label: string;
  year: number;
  week: number;
  /** Monday 00:00 Asia/Shanghai, ISO UTC. */
  start: string;
  /** The next Monday 00:00 Asia/Shanghai, ISO UTC (exclusive). */
  end: string;
  /** The moment the week's figures are taken at: its last millisecond (end - 1 ms), ISO UTC. */
  asOf: string;
}

/** The figures of the digest, each from the plans (学前 = the preschool plan, 县中 = the county high-school plan). */
export const figureIds = [
  'kgGer',
  'kgPuhui',
  'kgPublicShare',
  'kgTeacherRatio',
  'newPublicPlaces',
  'hsGer',
  'hsFunds',
  'oversizeClasses',
  'oversizeSchools',
  'wageGapStaff',
  'wageGapMonths',
  'wageGapYuan',
  'insuranceGapStaff',
  'insuranceGapMonths',
  'insuranceGapYuan',
] as const;
export type FigureId = (typeof figureIds)[number];

/** What a figure is: its names, unit, target (from the config's rules thresholds) and which way is better. */
export interface FigureDef {
  id: FigureId;
  /** `学前三年毛入园率`. */
  zh: string;
  en: string;
  /** '%' for rates (shown with one decimal, changes in points), else a count or yuan. */
  unit: '%' | 'count' | 'yuan' | 'ratio';
  /** The target it is held to, or null (a count that should be 0 has target 0). */
  target: number | null;
  better: 'higher' | 'lower';
  /** Where the target comes from: `学前 一：「……97%……」`. */
  source: string;
  /**
   * What the figure counts, when its clause covers less than everything the plans name (the wage and
   * insurance figures: staff of which schools, under which clause), said in the digest's footnote.
   */
  covers?: { zh: string; en: string };
}

/** One figure for one region (410800 = the city) in one week. */
export interface FigureValue {
  figure: FigureId;
  region: string;
  /** As of the week's end; null when it cannot be computed (no population report, say). */
  value: number | null;
  /** The same a week earlier (as of the previous week's end). */
  previous: number | null;
  /** value - previous (points for rates), null if either is null. */
  change: number | null;
  /** Whether value meets the target (null: no target or no value). */
  met: boolean | null;
  /** The last 8 weeks' values, oldest first; the last is `value`. */
  trend: Array<number | null>;
  /** Whether `previous` met the target then (null: no target or no value): what worseThisWeek compares `met` with. */
  previousMet?: boolean | null;
  /**
   * The target in force at the week's end where it moves with time, else absent: newPublicPlaces'
   * straight line from 0 at newPublicPlacesFrom to the target at newPublicPlacesBy (KG-NEW-PUBLIC-PLACES).
   */
  expected?: number | null;
  /**
   * The period a figure judged per year covers, else absent: hsFunds (县中 18, a floor per student
   * per year) is taken at the end of the last quarter ended, `quarters` of fiscal year `fiscalYear`
   * due: 1 to 3 pro rata (按已结束季度折算), 4 the whole year (from 1 January to 31 March, the year
   * just closed).
   */
  period?: { fiscalYear: number; quarters: number } | null;
}

/** A figure that got worse this week: past the configured change threshold, or newly short of its target. */
export interface Worse {
  figure: FigureId;
  region: string;
  reason: 'new-shortfall' | 'worse';
  change: number | null;
}

/** Whether this week's numbers can be trusted, by event time (alerts/digest/weekReport.ts). */
export interface DataQuality {
  /** Feeds DQ-STALE-FEED finds stale as of the week's end: feed, how far behind, in what unit. */
  staleFeeds: Array<{ feed: string; behind: number; unit: string }>;
  /** Rules that failed when the digest judged the week (as of its start or end), with the error. */
  failedRules: Array<{ rule: string; error: string }>;
  /** Messages rejected during the week by when they were received (their event time cannot be read), by reason. */
  rejections: Array<{ reason: string; count: number }>;
  /** Schools named in events by the week's end that the registry did not know by then (DQ-UNKNOWN-SCHOOL). */
  unknownSchools: number;
  /** Those schools (school codes, not personal ids) with the Shanghai date (YYYY-MM-DD) of the first event naming each, earliest first. */
  unknownSchoolList?: Array<{ schoolId: string; firstSeen: string }>;
}

/** One line of the alerts of the week: a rule in a region, and how many. */
export interface AlertCount {
  rule: string;
  region: string | null;
  count: number;
}

/**
 * The alerts of the week, for the digest's regions. opened, resolved and stillOpen are by event
 * time: the violations the rules find as of the week's end and not its start, at its start and not
 * its end, and at its end. A digest built since issue 22 leaves flaps and oldestUnacked empty here
 * and gives them in Digest.detected (they are the clock's).
 */
export interface WeekAlerts {
  opened: AlertCount[];
  resolved: AlertCount[];
  stillOpen: AlertCount[];
  /** Alerts that reopened more than once during the week. */
  flaps: Array<{ alertId: string; rule: string; region: string | null; reopens: number }>;
  /** The oldest unacknowledged open alerts, oldest first (at most 10). */
  oldestUnacked: Array<{ alertId: string; rule: string; region: string | null; schoolId: string | null; openedAt: string; ageDays: number }>;
}

/**
 * What the alert lifecycle did during the week by the clock, for the digest's regions: alerts first
 * detected (opened or reopened) then, those that reopened more than once, the oldest open and
 * unacknowledged at its end. Differs from WeekAlerts after a backfill, a late feed or a catch-up.
 */
export interface DetectedAlerts {
  opened: AlertCount[];
  flaps: WeekAlerts['flaps'];
  oldestUnacked: WeekAlerts['oldestUnacked'];
}

/** A rule officials judged often wrong (issue 23): its alerts judged city-wide over the trailing window (alerts/ruleQuality.ts). */
export interface JudgedRule {
  rule: string;
  /** confirmed + fixed + dataWrong + falseAlarm. */
  judged: number;
  /** (confirmed + fixed) / judged, 0 to 1: below the floor. */
  precision: number;
  confirmed: number;
  fixed: number;
  dataWrong: number;
  falseAlarm: number;
}

/**
 * The rules officials judged often wrong, for the city's digest: the alerts opened in [since,
 * until) and acknowledged before until (the week's end), judged with an outcome; each rule with at
 * least `minimum` judged and precision below `floor` (config digest.judgedPrecisionFloor and
 * digest.judgedMinimum), lowest precision first.
 */
export interface JudgedOftenWrong {
  /** ISO UTC: `days` before until. */
  since: string;
  /** ISO UTC: the week's end (exclusive). */
  until: string;
  days: number;
  /** 0 to 1. */
  floor: number;
  minimum: number;
  /** Empty when no rule fell below the floor: the section says so in one line. */
  rules: JudgedRule[];
}

/** One digest: one week, for the regions one reader is responsible for. */
export interface Digest {
  week: IsoWeek;
  /** Region codes in the order shown; the city (410800) first when the reader is the city's. */
  regions: string[];
  figures: FigureValue[];
  worse: Worse[];
  quality: DataQuality;
  alerts: WeekAlerts;
  /** What the alert lifecycle did during the week by the clock (absent in digests made before issue 22). */
  detected?: DetectedAlerts;
  /** The rules officials judged often wrong: the city's digest alone (absent for a county's, and in digests made before issue 23). */
  judged?: JudgedOftenWrong;
  /** When it was composed, ISO UTC. */
  composedAt: string;
}

/** A rendered digest: the email parts and its attachments (images referenced from the HTML by cid). */
export interface RenderedDigest {
  subject: string;
  html: string;
  text: string;
  /** PNG trend images (content base64, referenced as `cid:<cid>`) and the `.xlsx` of every figure. */
  attachments: Array<{ filename: string; contentType: string; content: string; encoding: 'base64' | 'utf8'; cid?: string }>;
}

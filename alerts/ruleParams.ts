/** The named parameters rule SQL may use, with their values from the configuration. */
import type { Config } from '../core/config.ts';
import { topicsOf } from '../domain/topics.ts';

export const RULE_PARAMS = [
  'as_of',
  'exempt_admission_types',
  'grace_days',
  'max_class_size',
  'max_school_size',
  'school_size_opened_from',
  'wage_due_day',
  'wage_tolerance',
  'poach_window_days',
  'kg_ger_min_percent',
  'kg_puhui_min_percent',
  'kg_public_share_min_percent',
  'hs_ger_min_percent',
  'kg_children_per_teacher',
  'township_large_population',
  'kg_outdoor_m2_per_child',
  'kg_activity_m2_per_child',
  'kg_building_m2_per_child',
  'new_public_places_target',
  'new_public_places_from',
  'new_public_places_by',
  'hs_funds_per_student',
  'hs_tuition_max_percent',
  'hs_students_per_teacher',
  'hs_teacher_uplift',
  'stale_feed_minutes',
  'season_start',
  'season_end',
  'admission_topic',
  'payroll_max_quiet_days',
  'funds_max_quiet_days',
  'registry_max_quiet_days',
  'enrollment_max_quiet_days',
] as const;

export type RuleParam = (typeof RULE_PARAMS)[number];

/** Every parameter's value for an evaluation as of `asOf` (a timestamp DuckDB casts to TIMESTAMPTZ). */
export function ruleParams(config: Pick<Config, 'rules' | 'kafka' | 'feeds'>, asOf: string): Record<RuleParam, string | number> {
  const r = config.rules;
  return {
    as_of: asOf,
    exempt_admission_types: r.exemptAdmissionTypes.join(','),
    grace_days: r.offPlatformGraceDays,
    max_class_size: r.maxClassSize,
    max_school_size: r.maxSchoolSize,
    school_size_opened_from: r.schoolSizeOpenedFrom,
    wage_due_day: r.wageDueDay,
    wage_tolerance: r.wageToleranceYuan,
    poach_window_days: r.poachWindowDays,
    kg_ger_min_percent: r.kgGerMinPercent,
    kg_puhui_min_percent: r.kgPuhuiMinPercent,
    kg_public_share_min_percent: r.kgPublicShareMinPercent,
    hs_ger_min_percent: r.hsGerMinPercent,
    kg_children_per_teacher: r.kgChildrenPerTeacher,
    township_large_population: r.townshipLargePopulation,
    kg_outdoor_m2_per_child: r.kgOutdoorM2PerChild,
    kg_activity_m2_per_child: r.kgActivityM2PerChild,
    kg_building_m2_per_child: r.kgBuildingM2PerChild,
    new_public_places_target: r.newPublicPlacesTarget,
    new_public_places_from: r.newPublicPlacesFrom,
    new_public_places_by: r.newPublicPlacesBy,
    hs_funds_per_student: r.hsFundsPerStudentYuan,
    hs_tuition_max_percent: r.hsTuitionMaxPercent,
    hs_students_per_teacher: r.hsStudentsPerTeacher,
    hs_teacher_uplift: r.hsTeacherUplift,
    stale_feed_minutes: r.staleFeedMinutes,
    season_start: r.seasonStart,
    season_end: r.seasonEnd,
    admission_topic: topicsOf(config).admission,
    // 0: the calendar expects nothing of the feed (config null), it is never stale.
    payroll_max_quiet_days: config.feeds.payroll.maxQuietDays ?? 0,
    funds_max_quiet_days: config.feeds.funds.maxQuietDays ?? 0,
    registry_max_quiet_days: config.feeds.registry.maxQuietDays ?? 0,
    enrollment_max_quiet_days: config.feeds.enrollment.maxQuietDays ?? 0,
  };
}

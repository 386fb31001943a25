/**
 * What each figure of the weekly digest is: its names, unit, target and the plan clause the target
 * comes from, quoted as the rule that enforces it quotes it (the `-- policy:` header of
 * sql/rules/<RULE-ID>.sql), so the digest and the alerts cite the plan in the same words.
 */
import type { Config } from '../../core/config.ts';
import { ruleById } from '../rules.ts';
import type { FigureDef, FigureId } from './model.ts';

/** The rule that enforces each figure's target (and whose policy clause the figure cites). */
export const figureRules: Readonly<Record<FigureId, string>> = {
  kgGer: 'KG-GER',
  kgPuhui: 'KG-PUHUI',
  kgPublicShare: 'KG-PUBLIC-SHARE',
  kgTeacherRatio: 'KG-TEACHER-RATIO',
  newPublicPlaces: 'KG-NEW-PUBLIC-PLACES',
  hsGer: 'HS-GER',
  hsFunds: 'HS-FUNDS',
  oversizeClasses: 'ADM-CLASS-SIZE',
  oversizeSchools: 'ADM-SCHOOL-SIZE',
  wageGapStaff: 'WAGE-MISSING',
  wageGapMonths: 'WAGE-MISSING',
  wageGapYuan: 'WAGE-MISSING',
  insuranceGapStaff: 'INSURANCE-MISSING',
  insuranceGapMonths: 'INSURANCE-MISSING',
  insuranceGapYuan: 'INSURANCE-MISSING',
};

/** 学前 6's words on kindergarten staff's wages and on their social insurance (docs/policy.md). */
export const KG_WAGE_CLAUSE = '学前 6：「统筹各类资金来源渠道，确保教师工资及时足额发放、同工同酬。」';
export const KG_INSURANCE_CLAUSE = '学前 6：「各类幼儿园教职工依法全员纳入社会保障体系……督促各类幼儿园依法依规足额足项为教职工缴纳社会保险和住房公积金。」';

/**
 * The clause a figure quotes where its rule's policy names more than the figure counts: the wage
 * and insurance figures count kindergarten staff only, so they quote 学前 6 alone, while
 * WAGE-MISSING and INSURANCE-MISSING, which judge staff of every school, quote a clause per level.
 */
const FIGURE_CLAUSES: Partial<Record<FigureId, string>> = {
  wageGapStaff: KG_WAGE_CLAUSE,
  wageGapMonths: KG_WAGE_CLAUSE,
  wageGapYuan: KG_WAGE_CLAUSE,
  insuranceGapStaff: KG_INSURANCE_CLAUSE,
  insuranceGapMonths: KG_INSURANCE_CLAUSE,
  insuranceGapYuan: KG_INSURANCE_CLAUSE,
};

const KG_STAFF = {
  zh: '只计各类幼儿园（公办、民办）教职工，依学前 6；普通高中、职业学校教职工的欠薪和未缴社保不在本项（两个方案未对其设此目标），仍由规则逐人告警',
  en: 'kindergarten staff only (public and private), under 学前 6; high-school and vocational staff are not counted here (the plans set them no such target), though the rules still alert on each of their gaps',
};

/**
 * The 15 figures of the digest in model.ts's order, with targets from the config's `rules`
 * thresholds (the plans' numbers by default):
 * - rates in % (higher is better): kgGer ≥ kgGerMinPercent (97), kgPuhui ≥ kgPuhuiMinPercent (90),
 *   kgPublicShare ≥ kgPublicShareMinPercent (50), hsGer ≥ hsGerMinPercent (95), hsFunds ≥ 100 (the
 *   per-student public funds disbursed, as a % of what HS-FUNDS holds due by the week's end);
 * - kgTeacherRatio, children per full-time teacher in public kindergartens, ≤ kgChildrenPerTeacher (15);
 * - newPublicPlaces, public kindergarten places built since newPublicPlacesFrom, target
 *   newPublicPlacesTarget (10,000) by newPublicPlacesBy; a week meets it when it is on the straight
 *   line there (FigureValue.expected), as KG-NEW-PUBLIC-PLACES judges; the city only;
 * - counts that should be 0 (lower is better): oversize grade-1 classes (over maxClassSize),
 *   oversize new high schools (over maxSchoolSize, opened since schoolSizeOpenedFrom), staff and
 *   months with a wage gap and the yuan unpaid, staff and months without social insurance and
 *   the agreed wages of those months (the base the contributions were due on): kindergarten staff
 *   only (public and private), as the clause they quote (学前 6) governs, `covers` saying so.
 * hsFunds is judged per year (县中 18): at the end of the last quarter ended, pro rata to the
 * quarters ended, and from January to March for the whole year just closed (FigureValue.period).
 * Unknown rule ids cannot happen here: ruleById throws at the first call if one is renamed.
 */
export function figureDefs(rules: Config['rules']): FigureDef[] {
  const source = (id: FigureId) => FIGURE_CLAUSES[id] ?? ruleById(figureRules[id]).policy;
  const def = (
    id: FigureId,
    zh: string,
    en: string,
    unit: FigureDef['unit'],
    target: number | null,
    better: FigureDef['better'],
    covers?: FigureDef['covers'],
  ): FigureDef => ({
    id,
    zh,
    en,
    unit,
    target,
    better,
    source: source(id),
    ...(covers ? { covers } : {}),
  });
  const hsFundsCovers = {
    zh: '各普通高中截至最近一个已结束季度末实拨数占按季度折算应拨数的比例，逐校核算（一校多拨不抵他校少拨）；1月至3月按上一年度全年核定',
    en: 'per high school, what was disbursed by the end of the last quarter ended over the floor due for the quarters ended, school by school (one school’s surplus does not cover another’s shortfall); from January to March, the whole year just closed',
  };
  return [
    def('kgGer', '学前三年毛入园率', 'Preschool gross enrollment rate (3 years)', '%', rules.kgGerMinPercent, 'higher'),
    def('kgPuhui', '普惠性幼儿园覆盖率', 'Coverage of affordable (puhui) kindergartens', '%', rules.kgPuhuiMinPercent, 'higher'),
    def('kgPublicShare', '公办园在园幼儿占比', 'Share of children in public kindergartens', '%', rules.kgPublicShareMinPercent, 'higher'),
    def('kgTeacherRatio', '幼儿园专任教师配比', 'Children per full-time teacher (public kindergartens)', 'ratio', rules.kgChildrenPerTeacher, 'lower'),
    def('newPublicPlaces', '新增公办学位', 'New public kindergarten places', 'count', rules.newPublicPlacesTarget, 'higher'),
    def('hsGer', '高中阶段毛入学率', 'High-school-stage gross enrollment rate', '%', rules.hsGerMinPercent, 'higher'),
    def('hsFunds', '生均公用经费', 'Per-student public funds disbursed (% of due)', '%', 100, 'higher', hsFundsCovers),
    def('oversizeClasses', '大班额', `Grade-1 high-school classes over ${rules.maxClassSize}`, 'count', 0, 'lower'),
    def('oversizeSchools', '超大规模学校', `New high schools over ${rules.maxSchoolSize} students`, 'count', 0, 'lower'),
    def('wageGapStaff', '幼儿园欠薪教职工', 'Kindergarten staff with wages unpaid or short', 'count', 0, 'lower', KG_STAFF),
    def('wageGapMonths', '幼儿园欠薪月数', 'Kindergarten staff: months of wages unpaid or short', 'count', 0, 'lower', KG_STAFF),
    def('wageGapYuan', '幼儿园欠薪金额', 'Kindergarten staff: wages unpaid (yuan)', 'yuan', 0, 'lower', KG_STAFF),
    def('insuranceGapStaff', '幼儿园未缴社保教职工', 'Kindergarten staff without social insurance', 'count', 0, 'lower', KG_STAFF),
    def('insuranceGapMonths', '幼儿园未缴社保月数', 'Kindergarten staff: months without social insurance', 'count', 0, 'lower', KG_STAFF),
    def(
      'insuranceGapYuan',
      '幼儿园未缴社保月工资额',
      'Kindergarten staff: agreed wages of months without social insurance (yuan)',
      'yuan',
      0,
      'lower',
      KG_STAFF,
    ),
  ];
}

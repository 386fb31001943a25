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
 *   the agreed wages of those months (the base the contributions were due on).
 * Unknown rule ids cannot happen here: ruleById throws at the first call if one is renamed.
 */
export function figureDefs(rules: Config['rules']): FigureDef[] {
  const source = (id: FigureId) => ruleById(figureRules[id]).policy;
  const def = (id: FigureId, zh: string, en: string, unit: FigureDef['unit'], target: number | null, better: FigureDef['better']): FigureDef => ({
    id,
    zh,
    en,
    unit,
    target,
    better,
    source: source(id),
  });
  return [
    def('kgGer', '学前三年毛入园率', 'Preschool gross enrollment rate (3 years)', '%', rules.kgGerMinPercent, 'higher'),
    def('kgPuhui', '普惠性幼儿园覆盖率', 'Coverage of affordable (puhui) kindergartens', '%', rules.kgPuhuiMinPercent, 'higher'),
    def('kgPublicShare', '公办园在园幼儿占比', 'Share of children in public kindergartens', '%', rules.kgPublicShareMinPercent, 'higher'),
    def('kgTeacherRatio', '幼儿园专任教师配比', 'Children per full-time teacher (public kindergartens)', 'ratio', rules.kgChildrenPerTeacher, 'lower'),
    def('newPublicPlaces', '新增公办学位', 'New public kindergarten places', 'count', rules.newPublicPlacesTarget, 'higher'),
    def('hsGer', '高中阶段毛入学率', 'High-school-stage gross enrollment rate', '%', rules.hsGerMinPercent, 'higher'),
    def('hsFunds', '生均公用经费', 'Per-student public funds disbursed (% of due)', '%', 100, 'higher'),
    def('oversizeClasses', '大班额', `Grade-1 high-school classes over ${rules.maxClassSize}`, 'count', 0, 'lower'),
    def('oversizeSchools', '超大规模学校', `New high schools over ${rules.maxSchoolSize} students`, 'count', 0, 'lower'),
    def('wageGapStaff', '欠薪教职工', 'Staff with wages unpaid or short', 'count', 0, 'lower'),
    def('wageGapMonths', '欠薪月数', 'Months of wages unpaid or short', 'count', 0, 'lower'),
    def('wageGapYuan', '欠薪金额', 'Wages unpaid (yuan)', 'yuan', 0, 'lower'),
    def('insuranceGapStaff', '未缴社保教职工', 'Staff without social insurance', 'count', 0, 'lower'),
    def('insuranceGapMonths', '未缴社保月数', 'Months without social insurance', 'count', 0, 'lower'),
    def('insuranceGapYuan', '未缴社保月工资额', 'Agreed wages of months without social insurance (yuan)', 'yuan', 0, 'lower'),
  ];
}

-- The plan indicators per region and for the city (410800 = sums over the regions), as of t:
-- active students of active schools by the school's current region (kindergarten children,
-- those in public and in public-or-puhui kindergartens, high-school-stage students) next to the
-- current population report for t's year. The digest and analysts reuse it; KG-GER, KG-PUHUI,
-- KG-PUBLIC-SHARE and HS-GER compare its columns with their thresholds.
-- @shared: a rule sweep computes it once (alerts/sharedState.ts)
create or replace macro asof_region_indicators(t) as table
  with by_region as (
    select x.region_code,
      coalesce(sum(s.students) filter (x.level = 'kindergarten'), 0)::bigint as kg_children,
      coalesce(sum(s.students) filter (x.level = 'kindergarten' and x.ownership = 'public'), 0)::bigint as kg_public,
      coalesce(sum(s.students) filter (x.level = 'kindergarten' and (x.ownership = 'public' or x.puhui)), 0)::bigint as kg_puhui,
      coalesce(sum(s.students) filter (x.level in ('high_school', 'vocational')), 0)::bigint as hs_students
    from asof_schools(t) x join asof_school_students(t) s using (school_id)
    where x.status = 'active' group by all
  ), with_population as (
    select r.*, p.age_3_5, p.age_15_17
    from by_region r join asof_population(t) p on p.region_code = r.region_code and p.year = year(shanghai_time(t))
  )
  select * from with_population
  union all
  select '410800', sum(kg_children), sum(kg_public), sum(kg_puhui), sum(hs_students), sum(age_3_5), sum(age_15_17)
  from with_population;

comment on macro table asof_region_indicators is '截至时刻 t 各县（市、区）及全市（410800）的规划指标：在园幼儿、公办园与普惠性幼儿园在园幼儿、高中阶段学生数，及当年 3–5 岁与 15–17 岁人口（毛入园率、毛入学率的分子分母） / The plan indicators per region and for the city (410800) as of t: kindergarten children, those in public (公办园) and in public-or-puhui (普惠性幼儿园) kindergartens, high-school-stage students, and that year''s population aged 3 to 5 and 15 to 17 (the gross enrolment rates'' numerators and denominators)';

-- A rate as a percentage, unrounded (null when the denominator is 0), and whether it falls below a
-- target percentage, judged exactly (a count times 100 against the denominator times the target):
-- KG-GER, KG-PUHUI, KG-PUBLIC-SHARE, HS-GER and the digest's figures (sql/digest/figures.sql) judge
-- one way. rate_violation is the violation row a rate below its target makes, as a struct of the
-- rule result's columns: a rule selects unnest(rate_violation(...)).
create or replace macro rate_percent(numerator, denominator) as (numerator * 100.0 / nullif(denominator, 0))::double;

create or replace macro rate_below(numerator, denominator, min_percent) as numerator * 100 < denominator * min_percent::decimal(18, 2);

create or replace macro rate_violation(rule_id, region, t, numerator, denominator, min_percent) as {
  'rule': rule_id, 'school_id': null::varchar, 'region_code': region, 'period': year(shanghai_time(t))::varchar, 'subject': null::varchar,
  'observed': round(rate_percent(numerator, denominator), 2)::double, 'threshold': min_percent::double,
  'details': json_object('numerator', numerator, 'denominator', denominator, 'min_percent', min_percent::decimal(18, 2))
};

comment on macro rate_percent is '百分率：分子 × 100 ÷ 分母，不取整（分母为 0 时为 NULL） / A rate as a percentage: numerator × 100 ÷ denominator, unrounded (NULL when the denominator is 0)';
comment on macro rate_below is '比率是否低于目标百分比：分子 × 100 < 分母 × 目标，精确比较（规则与周报同一判断） / Whether a rate falls below a target percentage: numerator × 100 < denominator × target, compared exactly (the rules and the digest judge alike)';
comment on macro rate_violation is '比率低于目标时的违规行（规则结果各列组成的结构体，规则以 unnest 展开） / The violation row a rate below its target makes (a struct of the rule result''s columns, which a rule expands with unnest)';

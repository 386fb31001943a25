-- rule: HS-GER
-- title: 高中阶段毛入学率 / High-school-stage gross enrollment rate below target
-- severity: warning
-- cadence: daily
-- feeds: registry, enrollment
-- params: as_of, hs_ger_min_percent
-- policy: 县中 二：「到2025年……推动高中阶段教育毛入学率达到95%以上。」
-- Students of high and vocational schools per resident population aged 15-17, per region and for the city, below the target (95%).
with indicators as (
  select * from asof_region_indicators($as_of::timestamptz)
)
select 'HS-GER' as rule, null::varchar as school_id, region_code, year(shanghai_time($as_of::timestamptz))::varchar as period,
  null::varchar as subject, round(hs_students * 100.0 / nullif(age_15_17, 0), 2)::double as observed, $hs_ger_min_percent::double as threshold,
  json_object('numerator', hs_students, 'denominator', age_15_17, 'min_percent', $hs_ger_min_percent::decimal(18, 2)) as details
from indicators
where hs_students * 100 < age_15_17 * $hs_ger_min_percent::decimal(18, 2);

-- rule: KG-GER
-- title: 学前三年毛入园率 / Preschool gross enrollment rate below target
-- severity: warning
-- cadence: daily
-- feeds: registry, enrollment
-- params: as_of, kg_ger_min_percent
-- policy: 学前 一：「到2025年，全市学前三年毛入园率达到97%以上」
-- Kindergarten children per resident population aged 3-5, per region and for the city (410800), below the target (学前 一: 97%).
with indicators as (
  select * from asof_region_indicators($as_of::timestamptz)
)
select 'KG-GER' as rule, null::varchar as school_id, region_code, year(shanghai_time($as_of::timestamptz))::varchar as period,
  null::varchar as subject, round(kg_children * 100.0 / nullif(age_3_5, 0), 2)::double as observed, $kg_ger_min_percent::double as threshold,
  json_object('numerator', kg_children, 'denominator', age_3_5, 'min_percent', $kg_ger_min_percent::decimal(18, 2)) as details
from indicators
where kg_children * 100 < age_3_5 * $kg_ger_min_percent::decimal(18, 2);

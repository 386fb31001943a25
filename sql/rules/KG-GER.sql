-- rule: KG-GER
-- title: 学前三年毛入园率 / Preschool gross enrollment rate below target
-- severity: warning
-- cadence: daily
-- feeds: registry, enrollment
-- params: as_of, kg_ger_min_percent
-- policy: 学前 一：「到2025年，全市学前三年毛入园率达到97%以上」
-- measure: 学前三年毛入园率 / preschool gross enrollment rate
-- unit: % / %
-- comparison: 低于目标 / below the target of
-- subject: none
-- Kindergarten children per resident population aged 3-5, per region and for the city (410800), below the target (学前 一: 97%).
select unnest(rate_violation('KG-GER', region_code, $as_of::timestamptz, kg_children, age_3_5, $kg_ger_min_percent))
from asof_region_indicators($as_of::timestamptz)
where rate_below(kg_children, age_3_5, $kg_ger_min_percent);

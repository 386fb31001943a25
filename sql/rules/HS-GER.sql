-- rule: HS-GER
-- title: 高中阶段毛入学率 / High-school-stage gross enrollment rate below target
-- severity: warning
-- cadence: daily
-- feeds: registry, enrollment
-- params: as_of, hs_ger_min_percent
-- policy: 县中 二：「到2025年……推动高中阶段教育毛入学率达到95%以上。」
-- measure: 高中阶段毛入学率 / high-school-stage gross enrollment rate
-- unit: % / %
-- comparison: 低于目标 / below the target of
-- subject: none
-- Students of high and vocational schools per resident population aged 15-17, per region and for the city, below the target (95%).
select unnest(rate_violation('HS-GER', region_code, $as_of::timestamptz, hs_students, age_15_17, $hs_ger_min_percent))
from asof_region_indicators($as_of::timestamptz)
where rate_below(hs_students, age_15_17, $hs_ger_min_percent);

-- rule: KG-PUHUI
-- title: 普惠性幼儿园覆盖率 / Coverage of affordable (puhui) kindergartens below target
-- severity: warning
-- cadence: daily
-- feeds: registry, enrollment
-- params: as_of, kg_puhui_min_percent
-- policy: 学前 一：「到2025年……普惠性幼儿园覆盖率达到90%以上」
-- Children in public or puhui kindergartens per kindergarten child, per region and for the city, below the target (90%).
with indicators as (
  select * from asof_region_indicators($as_of::timestamptz)
)
select 'KG-PUHUI' as rule, null::varchar as school_id, region_code, year(shanghai_time($as_of::timestamptz))::varchar as period,
  null::varchar as subject, round(kg_puhui * 100.0 / nullif(kg_children, 0), 2)::double as observed, $kg_puhui_min_percent::double as threshold,
  json_object('numerator', kg_puhui, 'denominator', kg_children, 'min_percent', $kg_puhui_min_percent::decimal(18, 2)) as details
from indicators
where kg_puhui * 100 < kg_children * $kg_puhui_min_percent::decimal(18, 2);

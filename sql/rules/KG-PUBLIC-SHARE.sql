-- rule: KG-PUBLIC-SHARE
-- title: 公办园在园幼儿占比 / Share of children in public kindergartens below target
-- severity: warning
-- cadence: daily
-- feeds: registry, enrollment
-- params: as_of, kg_public_share_min_percent
-- policy: 学前 一：「到2025年……公办园在园幼儿占比达到50%以上」
-- Children in public kindergartens per kindergarten child, per region and for the city, below the target (50%).
with indicators as (
  select * from asof_region_indicators($as_of::timestamptz)
)
select 'KG-PUBLIC-SHARE' as rule, null::varchar as school_id, region_code, year(shanghai_time($as_of::timestamptz))::varchar as period,
  null::varchar as subject, round(kg_public * 100.0 / nullif(kg_children, 0), 2)::double as observed, $kg_public_share_min_percent::double as threshold,
  json_object('numerator', kg_public, 'denominator', kg_children, 'min_percent', $kg_public_share_min_percent::decimal(18, 2)) as details
from indicators
where kg_public * 100 < kg_children * $kg_public_share_min_percent::decimal(18, 2);

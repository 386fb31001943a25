-- rule: KG-PUBLIC-SHARE
-- title: 公办园在园幼儿占比 / Share of children in public kindergartens below target
-- severity: warning
-- cadence: daily
-- feeds: registry, enrollment
-- params: as_of, kg_public_share_min_percent
-- policy: 学前 一：「到2025年……公办园在园幼儿占比达到50%以上」
-- measure: 公办园在园幼儿占比 / share of children in public kindergartens
-- unit: % / %
-- comparison: 低于目标 / below the target of
-- subject: none
-- Children in public kindergartens per kindergarten child, per region and for the city, below the target (50%).
select unnest(rate_violation('KG-PUBLIC-SHARE', region_code, $as_of::timestamptz, kg_public, kg_children, $kg_public_share_min_percent))
from asof_region_indicators($as_of::timestamptz)
where rate_below(kg_public, kg_children, $kg_public_share_min_percent);

-- rule: KG-PUHUI
-- title: 普惠性幼儿园覆盖率 / Coverage of affordable (puhui) kindergartens below target
-- severity: warning
-- cadence: daily
-- feeds: registry, enrollment
-- params: as_of, kg_puhui_min_percent
-- policy: 学前 一：「到2025年……普惠性幼儿园覆盖率达到90%以上」
-- measure: 普惠性幼儿园覆盖率 / coverage of affordable (puhui) kindergartens
-- unit: % / %
-- comparison: 低于目标 / below the target of
-- subject: none
-- Children in public or puhui kindergartens per kindergarten child, per region and for the city, below the target (90%).
select unnest(rate_violation('KG-PUHUI', region_code, $as_of::timestamptz, kg_puhui, kg_children, $kg_puhui_min_percent))
from asof_region_indicators($as_of::timestamptz)
where rate_below(kg_puhui, kg_children, $kg_puhui_min_percent);

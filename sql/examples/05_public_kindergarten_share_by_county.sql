-- 问题：各县（市、区）公办园在园幼儿占比是多少，是否达到50%（学前 一）？有多少所公办园？
-- Question: What share of kindergarten children attend public kindergartens per county, does it
--   reach the 50% target (preschool plan, target 一), and how many public kindergartens are there?
-- 读取 / Reads: asof_region_indicators (sql/views/asof_4_indicators.sql), asof_schools, region_names
-- 每行 / One row: a region (410800: the whole city): its active public and all active
--   kindergartens, children in kindergartens and in public ones, the public share in % and
--   whether it meets 50%.
-- 注意 / Caveat: as of 2025-12-31 23:59:59 (Asia/Shanghai; edit the two literals for another
--   moment); a region appears only once its population report for that year is stored. The
--   figure KG-PUBLIC-SHARE and the digest use.
with kindergartens as (
  select region_code, count(*) filter (ownership = 'public') as public_kindergartens, count(*) as kindergartens
  from asof_schools(timestamptz '2025-12-31 23:59:59+08')
  where level = 'kindergarten' and status = 'active'
  group by rollup (region_code)
)
select i.region_code, r.name_zh as region_name, k.public_kindergartens, k.kindergartens, i.kg_children,
  i.kg_public as public_children, round(100.0 * i.kg_public / nullif(i.kg_children, 0), 1) as public_share_pct,
  i.kg_public * 100 >= i.kg_children * 50 as meets_50_pct
from asof_region_indicators(timestamptz '2025-12-31 23:59:59+08') i
  left join kindergartens k on k.region_code is not distinct from nullif(i.region_code, '410800')
  left join region_names r on r.region_code = i.region_code
order by i.region_code = '410800', public_share_pct, i.region_code;

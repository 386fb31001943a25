-- 问题：各县（市、区）普惠性幼儿园覆盖率是多少，是否达到90%（学前 一）？
-- Question: What is the coverage of affordable (普惠性, public or puhui) kindergartens per county,
--   and does it reach the 90% target (preschool plan, target 一)?
-- 读取 / Reads: asof_region_indicators (sql/views/asof_4_indicators.sql), region_names
-- 每行 / One row: a region (410800: the whole city): children in kindergartens, those in public
--   or puhui ones, the coverage in % and whether it meets 90%.
-- 注意 / Caveat: as of 2025-12-31 23:59:59 (Asia/Shanghai; edit the literal for another moment):
--   active children of active kindergartens by the kindergarten's region; a region appears only
--   once its population report for that year is stored. The figure KG-PUHUI and the digest use.
select i.region_code, r.name_zh as region_name, i.kg_children, i.kg_puhui as puhui_children,
  round(100.0 * i.kg_puhui / nullif(i.kg_children, 0), 1) as coverage_pct,
  i.kg_puhui * 100 >= i.kg_children * 90 as meets_90_pct
from asof_region_indicators(timestamptz '2025-12-31 23:59:59+08') i left join region_names r using (region_code)
order by i.region_code = '410800', coverage_pct, i.region_code;

-- 问题：哪些乡镇缺少乡镇公办中心幼儿园（每个乡镇至少1所，3万人口以上乡镇至少2所，学前 1）？
-- Question: Which townships lack a public township central kindergarten (at least one per
--   township, two from 30,000 people up: preschool plan, measure 1)?
-- 读取 / Reads: current_townships, current_schools, region_names
-- 每行 / One row: a township short of central kindergartens: its county, code and name, its
--   population, the active public central kindergartens it has and how many it needs.
-- 注意 / Caveat: the registry as it stands now (the latest version of every township and school);
--   a kindergarten counts only if its current record is active, public and township_central. The
--   same test as the rule KG-TOWNSHIP-CENTRAL.
with central as (
  select township_code, count(*) as central_kindergartens
  from current_schools
  where level = 'kindergarten' and ownership = 'public' and township_central and status = 'active'
  group by all
)
select t.region_code, r.name_zh as region_name, t.township_code, t.name as township_name, t.population,
  coalesce(c.central_kindergartens, 0) as central_kindergartens,
  case when t.population >= 30000 then 2 else 1 end as required
from current_townships t
  left join central c using (township_code)
  left join region_names r using (region_code)
where coalesce(c.central_kindergartens, 0) < case when t.population >= 30000 then 2 else 1 end
order by t.region_code, t.township_code;

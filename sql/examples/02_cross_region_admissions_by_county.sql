-- 问题：各县（市、区）高中跨区域录取（生源地与学校所在区域不同）逐年如何变化？
-- Question: Per county and year, how many high-school admissions came from outside the school's
--   region (home_region_code differs from the school's), and how did that change year on year?
-- 读取 / Reads: asof_net_admissions (sql/views/asof_2_students.sql), current_schools, region_names
-- 每行 / One row: a region and an admission year: net admissions of its schools, those from
--   another region, their share (%), the same count the year before and the change; outside_zone
--   counts those the plan forbids (县中 5: the five urban districts are one zone).
-- 注意 / Caveat: net admissions (admitted more often than cancelled) as stored now; a region is
--   the school's current region. cross_region counts a student of 解放区 admitted in 山阳区, which
--   is allowed (same zone); outside_zone is what ADM-CROSS-REGION flags (with no exempt types).
with net as (
  select n.year, x.region_code, n.home_region_code
  from asof_net_admissions('infinity'::timestamptz) n join current_schools x using (school_id)
), by_year as (
  select region_code, year, count(*) as net_admissions,
    count(*) filter (home_region_code <> region_code) as cross_region,
    count(*) filter (edumon_zone(home_region_code) <> edumon_zone(region_code)) as outside_zone
  from net group by all
)
select b.region_code, r.name_zh as region_name, b.year, b.net_admissions, b.cross_region,
  round(100.0 * b.cross_region / b.net_admissions, 1) as cross_region_pct,
  lag(b.cross_region) over (partition by b.region_code order by b.year) as cross_region_previous_year,
  b.cross_region - lag(b.cross_region) over (partition by b.region_code order by b.year) as change,
  b.outside_zone
from by_year b left join region_names r using (region_code)
order by b.region_code, b.year;

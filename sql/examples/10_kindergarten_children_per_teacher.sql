-- 问题：各县（市、区）幼儿园每名专任教师对应多少在园幼儿？多少所公办园未达到1:15（学前 6）？
-- Question: How many kindergarten children are there per full-time teacher in each county, and
--   how many public kindergartens fall short of one teacher per 15 children (preschool plan, 6)?
-- 读取 / Reads: current_schools, asof_school_students, asof_school_teachers (sql/views/asof_2_students.sql), region_names
-- 每行 / One row: a region (410800: the whole city): active kindergartens, their children and
--   full-time teachers, children per teacher, and public kindergartens with fewer than one
--   teacher per 15 children.
-- 注意 / Caveat: children and staff as stored now (current staff records, active enrollments);
--   teachers are full_time_teacher only (caregivers do not count). The per-school test is
--   KG-TEACHER-RATIO's.
with kg as (
  select x.region_code, x.ownership, coalesce(s.students, 0) as children, coalesce(t.teachers, 0) as teachers
  from current_schools x
    left join asof_school_students('infinity'::timestamptz) s using (school_id)
    left join asof_school_teachers('infinity'::timestamptz) t using (school_id)
  where x.level = 'kindergarten' and x.status = 'active'
), by_region as (
  select coalesce(region_code, '410800') as region_code, count(*) as kindergartens, sum(children) as children,
    sum(teachers) as teachers,
    count(*) filter (ownership = 'public' and teachers * 15 < children) as public_below_1_to_15
  from kg group by rollup (region_code)
)
select b.region_code, r.name_zh as region_name, b.kindergartens, b.children, b.teachers,
  round(b.children / nullif(b.teachers, 0), 1) as children_per_teacher, b.public_below_1_to_15
from by_region b left join region_names r using (region_code)
order by b.region_code = '410800', children_per_teacher desc, b.region_code;

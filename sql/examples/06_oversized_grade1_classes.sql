-- 问题：哪些普通高中的新入学年级（高一）有超过55人的大班额（县中 17）？
-- Question: Which high schools have grade-1 classes of more than 55 students (county high school
--   plan, measure 17: new grades at most 55 per class)?
-- 读取 / Reads: asof_active_enrollments (sql/views/asof_2_students.sql), current_schools, region_names
-- 每行 / One row: an active high school and an intake year with at least one grade-1 class over
--   55: its grade-1 classes, how many are over 55, the students in those and the largest class.
-- 注意 / Caveat: students enrolled now (no departure since their enrollment), counted in the class
--   they enrolled into; vocational schools are not judged. The same count as ADM-CLASS-SIZE.
with classes as (
  select e.school_id, e.year, e.class_id, count(*) as students
  from asof_active_enrollments('infinity'::timestamptz) e
  where e.grade = 1
  group by all
)
select x.region_code, r.name_zh as region_name, c.school_id, x.name as school_name, c.year,
  count(*) as grade1_classes, count(*) filter (c.students > 55) as classes_over_55,
  sum(c.students) filter (c.students > 55) as students_in_them, max(c.students) as largest_class
from classes c join current_schools x using (school_id) left join region_names r using (region_code)
where x.level = 'high_school' and x.status = 'active'
group by all
having count(*) filter (c.students > 55) > 0
order by classes_over_55 desc, largest_class desc, c.school_id, c.year;

-- 问题：各普通高中生均公用经费应拨多少、实拨多少（每生每年不低于1000元，县中 18）？
-- Question: Per high school, how much per-student public funding (生均公用经费) was disbursed
--   against what is due (at least 1,000 yuan per student a year: county high school plan, 18)?
-- 读取 / Reads: asof_schools, asof_school_students (sql/views/asof_2_students.sql), fund_disbursements, region_names
-- 每行 / One row: an active high school with students: its students, the yuan due for the fiscal
--   year so far (1,000 per student, pro rata to the quarters ended), the yuan disbursed
--   (per_student_public_funds) and the shortfall (0 if none); worst first.
-- 注意 / Caveat: as of 2025-12-31 23:59:59 (Asia/Shanghai; edit the literals for another moment:
--   before year end only the ended quarters are due); students are those enrolled at that moment,
--   as HS-FUNDS counts them, not an average over the year.
with at_moment as (
  select timestamptz '2025-12-31 23:59:59+08' as t, shanghai_time(timestamptz '2025-12-31 23:59:59+08') as local_t
), quarters as (
  select count(*) as ended from (values (3), (6), (9), (12)) q(m), at_moment a
  where last_day(make_date(year(a.local_t), q.m, 1)) <= a.local_t::date
), disbursed as (
  select f.school_id, sum(f.amount_yuan) as disbursed_yuan
  from fund_disbursements f, at_moment a
  where f.occurred_at <= a.t and f.fund_type = 'per_student_public_funds' and f.fiscal_year = year(a.local_t)
  group by all
)
select x.region_code, r.name_zh as region_name, x.school_id, x.name as school_name, s.students,
  1000 * s.students * q.ended / 4 as due_yuan, coalesce(d.disbursed_yuan, 0) as disbursed_yuan,
  greatest(1000 * s.students * q.ended / 4 - coalesce(d.disbursed_yuan, 0), 0) as shortfall_yuan
from asof_schools(timestamptz '2025-12-31 23:59:59+08') x
  join asof_school_students(timestamptz '2025-12-31 23:59:59+08') s using (school_id)
  left join disbursed d using (school_id)
  left join region_names r using (region_code), quarters q
where x.level = 'high_school' and x.status = 'active'
order by shortfall_yuan desc, x.school_id;

-- 问题：哪些民办学校有公办教职工任教或领薪（严禁公办学校教师在民办学校任教，县中 7）？
-- Question: Which private schools have public-post staff working for them (county high school
--   plan, measure 7: public school teachers may not teach at private schools)?
-- 读取 / Reads: asof_staff, asof_schools, wage_payments, asof_owed_months (sql/views/asof_3_wages.sql), region_names
-- 每行 / One row: a private school: staff whose current record places them there on a public post,
--   staff it paid a wage for a month they held a public post at a public school, and the distinct
--   staff either way. Counts only: no person is named.
-- 注意 / Caveat: as of 2025-12-31 23:59:59 (Asia/Shanghai; edit the literals for another moment),
--   wages due on the 10th of the next month; the two findings of STAFF-PUBLIC-AT-PRIVATE.
with schools as (
  select * from asof_schools(timestamptz '2025-12-31 23:59:59+08')
), placed as (
  select s.school_id, s.staff_pseudonym
  from asof_staff(timestamptz '2025-12-31 23:59:59+08') s join schools x using (school_id)
  where s.active and s.employment = 'public_post' and x.ownership = 'private'
), paid as (
  select distinct w.school_id, w.staff_pseudonym
  from wage_payments w join schools payer using (school_id)
    join asof_owed_months(timestamptz '2025-12-31 23:59:59+08', 10) o on o.staff_pseudonym = w.staff_pseudonym and o.period = w.period
    join schools employer on employer.school_id = o.school_id
  where w.occurred_at <= timestamptz '2025-12-31 23:59:59+08' and payer.ownership = 'private' and o.employment = 'public_post'
    and employer.ownership = 'public' and w.school_id <> o.school_id
), found as (
  select school_id, staff_pseudonym, true as is_placed, false as is_paid from placed
  union all
  select school_id, staff_pseudonym, false, true from paid
)
select x.region_code, r.name_zh as region_name, f.school_id, x.name as school_name,
  count(distinct f.staff_pseudonym) filter (f.is_placed) as placed_on_public_post,
  count(distinct f.staff_pseudonym) filter (f.is_paid) as paid_while_public_post_elsewhere,
  count(distinct f.staff_pseudonym) as staff
from found f join schools x using (school_id) left join region_names r using (region_code)
group by all
order by staff desc, f.school_id;

-- 问题：哪些县（市、区）教职工工资迟发、未足额发放或未发放最多（学前 6：确保教师工资及时足额发放）？
-- Question: Which counties pay staff wages late, short or not at all most often (preschool plan,
--   measure 6: wages paid on time and in full)?
-- 读取 / Reads: wage_payments, current_schools, asof_pay_gaps (sql/views/asof_3_wages.sql), region_names
-- 每行 / One row: a region: how many staff-months were paid late, paid short (more than 1 yuan
--   under the agreed wage, all payers summed) and not paid at all, and their total; most first.
-- 注意 / Caveat: as of 2025-12-31 23:59:59 (Asia/Shanghai; edit the two literals for another
--   moment), wages due on the 10th of the next month, as the rules WAGE-LATE, WAGE-SHORT and
--   WAGE-MISSING judge with the default settings. A late month is counted in the region of the
--   school that paid late first; a short or missing month in the region of the employer.
with late as (
  select arg_min(x.region_code, (w.occurred_at, w.event_id)) as region_code
  from wage_payments w join current_schools x using (school_id)
  where w.occurred_at <= timestamptz '2025-12-31 23:59:59+08'
    and shanghai_time(w.occurred_at)::date > (strptime(w.period || '-01', '%Y-%m-%d') + interval 1 month + interval 9 day)::date
  group by w.staff_pseudonym, w.period
), gaps as (
  select region_code, payments, paid_yuan < monthly_wage_yuan - 1 as short
  from asof_pay_gaps(timestamptz '2025-12-31 23:59:59+08', 10)
), counts as (
  select region_code, count(*) as paid_late, 0 as paid_short, 0 as not_paid from late group by all
  union all
  select region_code, 0, count(*) filter (payments > 0 and short), count(*) filter (payments = 0) from gaps group by all
)
select c.region_code, r.name_zh as region_name, sum(paid_late)::bigint as paid_late, sum(paid_short)::bigint as paid_short,
  sum(not_paid)::bigint as not_paid, sum(paid_late + paid_short + not_paid)::bigint as total
from counts c left join region_names r using (region_code)
group by all
having sum(paid_late + paid_short + not_paid) > 0
order by total desc, c.region_code;

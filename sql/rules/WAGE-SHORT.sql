-- rule: WAGE-SHORT
-- title: 工资未足额 / Wage paid short
-- severity: critical
-- cadence: daily
-- feeds: registry, payroll
-- params: as_of, wage_due_day, wage_tolerance
-- policy: 学前 6：「统筹各类资金来源渠道，确保教师工资及时足额发放、同工同酬。」（幼儿园教职工）；县中 四（二）：「人力资源社会保障和编制部门要支持教师增配和补充工作，完善教师待遇保障和激励机制。」（普通高中教职工；职业学校教职工两个方案均无条款，一并监测）
-- measure: 实发工资 / wage paid
-- unit: 元 / yuan
-- comparison: 低于应发 / below the agreed
-- subject: 教职工（化名 {short}） / staff member (pseudonym {short})
-- An owed (staff, month) with payments (all payers) summing to less than the agreed wage minus the
-- tolerance (short by exactly the tolerance or less is quiet). details.event_id: the latest of
-- those payments (by occurred_at, then event_id), the one after which the month stayed short.
with shortfalls as (
  select * from asof_pay_gaps($as_of::timestamptz, $wage_due_day::integer)
  where payments > 0 and paid_yuan < monthly_wage_yuan - $wage_tolerance::decimal(18, 2)
), latest_payment as (
  -- Looked up for the short months only: carrying an id through asof_pay_gaps' aggregate of every
  -- payment would cost every sweep memory (it is built to fit the service's 256 MB at scale 28).
  select w.staff_pseudonym, w.period, arg_max(w.event_id, (w.occurred_at, w.event_id)) as event_id
  from wage_payments w semi join shortfalls s using (staff_pseudonym, period)
  where w.occurred_at <= $as_of::timestamptz
  group by all
)
select 'WAGE-SHORT' as rule, s.school_id, s.region_code, s.period, s.staff_pseudonym as subject,
  s.paid_yuan::double as observed, s.monthly_wage_yuan::double as threshold,
  json_object('paid_yuan', s.paid_yuan, 'agreed_yuan', s.monthly_wage_yuan, 'payments', s.payments, 'event_id', p.event_id) as details
from shortfalls s left join latest_payment p using (staff_pseudonym, period);

-- rule: WAGE-LATE
-- title: 工资迟发 / Wage paid late
-- severity: warning
-- cadence: daily
-- feeds: registry, payroll
-- params: as_of, wage_due_day
-- policy: 学前 6：「统筹各类资金来源渠道，确保教师工资及时足额发放、同工同酬。」（幼儿园教职工）；县中 四（二）：「人力资源社会保障和编制部门要支持教师增配和补充工作，完善教师待遇保障和激励机制。」（普通高中教职工；职业学校教职工两个方案均无条款，一并监测）
-- measure: 迟发 / paid late by
-- unit: 天 / days
-- comparison: 超过 / more than
-- subject: 教职工（化名 {short}） / staff member (pseudonym {short})
-- A wage.paid for month M on a Shanghai date after the due day of M+1 (one row per staff and
-- month, named by the school of the earliest late payment). Not limited to owed months.
-- details.event_id: that earliest late payment (by occurred_at, then event_id).
with schools as (
  select * from asof_schools($as_of::timestamptz)
), late as (
  select w.*, x.region_code, shanghai_time(w.occurred_at)::date as paid_on,
    (strptime(w.period || '-01', '%Y-%m-%d') + interval 1 month + to_days($wage_due_day::integer - 1))::date as due_date
  from wage_payments w join schools x using (school_id)
  where w.occurred_at <= $as_of::timestamptz
)
select 'WAGE-LATE' as rule, arg_min(school_id, occurred_at) as school_id, arg_min(region_code, occurred_at) as region_code,
  period, staff_pseudonym as subject,
  max(paid_on - due_date)::double as observed, 0::double as threshold,
  json_object('first_late_payment_on', min(paid_on), 'due_date', min(due_date),
    'event_id', arg_min(event_id, (occurred_at, event_id))) as details
from late
where paid_on > due_date
group by period, staff_pseudonym;

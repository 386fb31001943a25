-- rule: WAGE-MISSING
-- title: 工资未发放 / Wage not paid
-- severity: critical
-- cadence: daily
-- params: as_of, wage_due_day
-- An owed (staff, month) past its due date with no wage.paid for that staff and month by anyone.
with owed as (
  select * from asof_owed_months($as_of::timestamptz, $wage_due_day::integer)
), paid as (
  select distinct staff_pseudonym, period from wage_payments where occurred_at <= $as_of::timestamptz
)
select 'WAGE-MISSING' as rule, o.school_id, o.region_code, o.period, o.staff_pseudonym as subject,
  0::double as observed, o.monthly_wage_yuan::double as threshold,
  json_object('agreed_yuan', o.monthly_wage_yuan, 'due_date', o.due_date) as details
from owed o
where not exists (select 1 from paid p where p.staff_pseudonym = o.staff_pseudonym and p.period = o.period);

-- rule: WAGE-SHORT
-- title: 工资未足额 / Wage paid short
-- severity: critical
-- cadence: daily
-- params: as_of, wage_due_day, wage_tolerance
-- An owed (staff, month) with payments (all payers) summing to less than the agreed wage minus the
-- tolerance (short by exactly the tolerance or less is quiet).
with owed as (
  select * from asof_owed_months($as_of::timestamptz, $wage_due_day::integer)
), paid as (
  select staff_pseudonym, period, sum(amount_yuan) as paid_yuan, count(*) as payments
  from wage_payments where occurred_at <= $as_of::timestamptz group by all
)
select 'WAGE-SHORT' as rule, o.school_id, o.region_code, o.period, o.staff_pseudonym as subject,
  p.paid_yuan::double as observed, o.monthly_wage_yuan::double as threshold,
  json_object('paid_yuan', p.paid_yuan, 'agreed_yuan', o.monthly_wage_yuan, 'payments', p.payments) as details
from owed o join paid p using (staff_pseudonym, period)
where p.paid_yuan < o.monthly_wage_yuan - $wage_tolerance::decimal(18, 2);

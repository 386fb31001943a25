-- rule: INSURANCE-MISSING
-- title: 社保未缴 / Social insurance not paid
-- severity: critical
-- cadence: daily
-- params: as_of, wage_due_day
-- An owed (staff, month) past its due date with no social_insurance.paid for it.
with owed as (
  select * from asof_owed_months($as_of::timestamptz, $wage_due_day::integer)
), paid as (
  select distinct staff_pseudonym, period from insurance_payments where occurred_at <= $as_of::timestamptz
)
select 'INSURANCE-MISSING' as rule, o.school_id, o.region_code, o.period, o.staff_pseudonym as subject,
  null::double as observed, null::double as threshold,
  json_object('due_date', o.due_date) as details
from owed o
where not exists (select 1 from paid p where p.staff_pseudonym = o.staff_pseudonym and p.period = o.period);

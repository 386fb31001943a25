-- rule: WAGE-SHORT
-- title: 工资未足额 / Wage paid short
-- severity: critical
-- cadence: daily
-- feeds: registry, payroll
-- params: as_of, wage_due_day, wage_tolerance
-- policy: 学前 6：「统筹各类资金来源渠道，确保教师工资及时足额发放、同工同酬。」
-- An owed (staff, month) with payments (all payers) summing to less than the agreed wage minus the
-- tolerance (short by exactly the tolerance or less is quiet).
select 'WAGE-SHORT' as rule, school_id, region_code, period, staff_pseudonym as subject,
  paid_yuan::double as observed, monthly_wage_yuan::double as threshold,
  json_object('paid_yuan', paid_yuan, 'agreed_yuan', monthly_wage_yuan, 'payments', payments) as details
from asof_pay_gaps($as_of::timestamptz, $wage_due_day::integer)
where payments > 0 and paid_yuan < monthly_wage_yuan - $wage_tolerance::decimal(18, 2);

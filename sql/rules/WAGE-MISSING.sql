-- rule: WAGE-MISSING
-- title: 工资未发放 / Wage not paid
-- severity: critical
-- cadence: daily
-- feeds: registry, payroll
-- params: as_of, wage_due_day
-- policy: 学前 6：「统筹各类资金来源渠道，确保教师工资及时足额发放、同工同酬。」（幼儿园教职工）；县中 四（二）：「人力资源社会保障和编制部门要支持教师增配和补充工作，完善教师待遇保障和激励机制。」（普通高中教职工；职业学校教职工两个方案均无条款，一并监测）
-- measure: 实发工资 / wage paid
-- unit: 元 / yuan
-- comparison: 低于应发 / below the agreed
-- subject: 教职工（化名 {short}） / staff member (pseudonym {short})
-- An owed (staff, month) past its due date with no wage.paid for that staff and month by anyone.
-- details.event_id: null, always: what is wrong is a payment that does not exist.
select 'WAGE-MISSING' as rule, school_id, region_code, period, staff_pseudonym as subject,
  0::double as observed, monthly_wage_yuan::double as threshold,
  json_object('agreed_yuan', monthly_wage_yuan, 'due_date', due_date, 'event_id', null) as details
from asof_pay_gaps($as_of::timestamptz, $wage_due_day::integer)
where payments = 0;

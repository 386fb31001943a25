-- rule: INSURANCE-MISSING
-- title: 社保未缴 / Social insurance not paid
-- severity: critical
-- cadence: daily
-- feeds: registry, payroll
-- params: as_of, wage_due_day
-- policy: 学前 6：「各类幼儿园教职工依法全员纳入社会保障体系……督促各类幼儿园依法依规足额足项为教职工缴纳社会保险和住房公积金。」（幼儿园教职工）；县中 四（二）：「人力资源社会保障和编制部门要支持教师增配和补充工作，完善教师待遇保障和激励机制。」（普通高中教职工；职业学校教职工两个方案均无条款，一并监测）
-- measure: none
-- unit: none
-- comparison: none
-- subject: 教职工（化名 {short}） / staff member (pseudonym {short})
-- An owed (staff, month) past its due date with no social_insurance.paid for it.
-- details.event_id: null, always: what is wrong is a payment that does not exist.
select 'INSURANCE-MISSING' as rule, school_id, region_code, period, staff_pseudonym as subject,
  null::double as observed, null::double as threshold,
  json_object('due_date', due_date, 'event_id', null) as details
from asof_pay_gaps($as_of::timestamptz, $wage_due_day::integer)
where not insured;

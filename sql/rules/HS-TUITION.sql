-- rule: HS-TUITION
-- title: 学费超过培养成本25% / Tuition above a quarter of the cost per student
-- severity: warning
-- cadence: daily
-- feeds: registry
-- params: as_of, hs_tuition_max_percent
-- policy: 县中 18：「学费占年生均教育培养成本的比例原则上不得超过25%。」
-- measure: 学费 / tuition
-- unit: 元/年 / yuan a year
-- comparison: 超过上限 / above the cap of
-- subject: none
-- An active high school whose current tuition exceeds the given share of its yearly cost per student.
-- details.event_id: the school version in force, the record stating both amounts.
select 'HS-TUITION' as rule, school_id, region_code, year(shanghai_time($as_of::timestamptz))::varchar as period,
  null::varchar as subject, tuition_yuan_per_year::double as observed,
  (cost_per_student_yuan_per_year * $hs_tuition_max_percent::decimal(18, 2) / 100)::double as threshold,
  json_object('tuition_yuan_per_year', tuition_yuan_per_year, 'cost_per_student_yuan_per_year', cost_per_student_yuan_per_year,
    'event_id', event_id) as details
from asof_schools($as_of::timestamptz)
where level = 'high_school' and status = 'active'
  and tuition_yuan_per_year * 100 > cost_per_student_yuan_per_year * $hs_tuition_max_percent::decimal(18, 2);

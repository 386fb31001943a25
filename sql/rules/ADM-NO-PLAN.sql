-- rule: ADM-NO-PLAN
-- title: 无计划招生 / Admission without a published plan
-- severity: critical
-- cadence: season
-- feeds: registry, admission
-- params: as_of
-- policy: 县中 6：「严禁以任何形式提前组织招生、超计划招生」；县中 17：「严格按照学位数量编制招生计划」
-- measure: 净录取人数 / net admissions
-- unit: 人 / students
-- comparison: 超过 / above
-- subject: none
-- A school and year with net admissions but no admission plan published for that school and year.
-- details.event_id: the first of those admissions (by admitted_at, then event_id), the one made
-- without a plan.
with admitted as (
  select school_id, year, count(*) as net_admissions, arg_min(event_id, (admitted_at, event_id)) as event_id
  from asof_net_admissions($as_of::timestamptz) group by all
), plans as (
  select * from asof_admission_plans($as_of::timestamptz)
), schools as (
  select * from asof_schools($as_of::timestamptz)
)
select 'ADM-NO-PLAN' as rule, a.school_id, x.region_code, a.year::varchar as period, null::varchar as subject,
  a.net_admissions::double as observed, null::double as threshold,
  json_object('net_admissions', a.net_admissions, 'event_id', a.event_id) as details
from admitted a left join schools x using (school_id)
where not exists (select 1 from plans p where p.school_id = a.school_id and p.year = a.year);

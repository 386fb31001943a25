-- rule: ADM-OVER-QUOTA
-- title: 超计划招生 / Admissions above the approved plan
-- severity: critical
-- cadence: season
-- feeds: registry, admission
-- params: as_of
-- policy: 县中 6：「严禁以任何形式提前组织招生、超计划招生、违规跨区域招生、“掐尖”招生。」
-- measure: 净录取人数 / net admissions
-- unit: 人 / students
-- comparison: 超过招生计划 / above the plan of
-- subject: none
-- Net admissions (admitted minus cancelled) of a school for a year above its current plan_quota.
-- details.event_id: the first admission beyond the plan, the (plan_quota + 1)-th net admission by
-- admitted_at then event_id: the one that went over. Not the latest: that one changes with every
-- further admission, while the first beyond stays the record to correct as long as the count holds.
with plans as (
  select * from asof_admission_plans($as_of::timestamptz)
), admitted as (
  select school_id, year, count(*) as net_admissions from asof_net_admissions($as_of::timestamptz) group by all
), above as (
  select p.school_id, p.year, p.plan_quota, a.net_admissions
  from plans p join admitted a using (school_id, year)
  where a.net_admissions > p.plan_quota
), first_beyond as (
  -- Ranks the admissions of the over-quota school-years only (few), never all of them.
  select n.school_id, n.year, n.event_id
  from asof_net_admissions($as_of::timestamptz) n join above o using (school_id, year)
  qualify row_number() over (partition by n.school_id, n.year order by n.admitted_at, n.event_id) = o.plan_quota + 1
), schools as (
  select * from asof_schools($as_of::timestamptz)
)
select 'ADM-OVER-QUOTA' as rule, o.school_id, x.region_code, o.year::varchar as period, null::varchar as subject,
  o.net_admissions::double as observed, o.plan_quota::double as threshold,
  json_object('net_admissions', o.net_admissions, 'plan_quota', o.plan_quota, 'event_id', f.event_id) as details
from above o join schools x using (school_id) left join first_beyond f using (school_id, year);

-- rule: ADM-OVER-QUOTA
-- title: 超计划招生 / Admissions above the approved plan
-- severity: critical
-- cadence: season
-- feeds: registry, admission
-- params: as_of
-- policy: 县中 6：「严禁以任何形式提前组织招生、超计划招生、违规跨区域招生、“掐尖”招生。」
-- Net admissions (admitted minus cancelled) of a school for a year above its current plan_quota.
with plans as (
  select * from asof_admission_plans($as_of::timestamptz)
), admitted as (
  select school_id, year, count(*) as net_admissions from asof_net_admissions($as_of::timestamptz) group by all
), schools as (
  select * from asof_schools($as_of::timestamptz)
)
select 'ADM-OVER-QUOTA' as rule, p.school_id, x.region_code, p.year::varchar as period, null::varchar as subject,
  a.net_admissions::double as observed, p.plan_quota::double as threshold,
  json_object('net_admissions', a.net_admissions, 'plan_quota', p.plan_quota) as details
from plans p join admitted a using (school_id, year) join schools x using (school_id)
where a.net_admissions > p.plan_quota;

-- rule: ADM-OFF-PLATFORM
-- title: 未经平台录取 / High-school enrollment without a platform admission
-- severity: critical
-- cadence: daily
-- feeds: registry, admission, enrollment
-- params: as_of, grace_days
-- policy: 县中 5：「普通高中录取全部在河南省基础教育综合信息服务平台上进行。」
-- measure: none
-- unit: none
-- comparison: none
-- subject: 学生（化名 {short}） / student (pseudonym {short})
-- A grade-1 enrollment at a high or vocational school, for a year with a published plan (any
-- school), with no net admission of that student at that school for that year, older than the
-- grace period (strictly). A later departure does not matter. details.event_id: the enrollment
-- (the first of that student there, by occurred_at then event_id).
with schools as (
  select * from asof_schools($as_of::timestamptz)
), plan_years as (
  select distinct year from asof_admission_plans($as_of::timestamptz)
), net as (
  select * from asof_net_admissions($as_of::timestamptz)
), enrolled as (
  select e.school_id, x.region_code, e.year, e.student_pseudonym, min(e.occurred_at) as enrolled_at,
    arg_min(e.event_id, (e.occurred_at, e.event_id)) as event_id
  from enrollments e join schools x using (school_id)
  where e.occurred_at <= $as_of::timestamptz and e.grade = 1 and x.level in ('high_school', 'vocational')
    and e.year in (select year from plan_years)
    and e.occurred_at < $as_of::timestamptz - to_days($grace_days::integer)
    and not exists (select 1 from net n where n.school_id = e.school_id and n.student_pseudonym = e.student_pseudonym and n.year = e.year)
  group by all
)
select 'ADM-OFF-PLATFORM' as rule, school_id, region_code, year::varchar as period, student_pseudonym as subject,
  null::double as observed, null::double as threshold,
  json_object('enrolled_at', enrolled_at, 'grace_days', $grace_days::integer, 'event_id', event_id) as details
from enrolled;

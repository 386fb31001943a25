-- rule: ADM-OUT-OF-WINDOW
-- title: 提前招生 / 公民办不同步 / Admission outside the plan's window; private window opening early
-- severity: critical
-- cadence: season
-- feeds: registry, admission
-- params: as_of
-- policy: 县中 6：「实施公民办同步招生，民办普通高中招生工作纳入所在地教育行政部门统一管理，招生范围应与所在地公办高中保持一致。……严禁以任何形式提前组织招生」
-- measure: none
-- unit: none
-- comparison: none
-- subject: 学生（化名 {short}） / student (pseudonym {short})
-- (a) a net admission before its plan's window_opens_at or after window_closes_at (the bounds are
-- inside); (b) a private school whose window opens before every public school of the same zone
-- and level with a plan for that year (subject null). details.event_id: (a) the admission; (b) the
-- private school's plan, the record whose window is wrong.
with plans as (
  select * from asof_admission_plans($as_of::timestamptz)
), schools as (
  select * from asof_schools($as_of::timestamptz)
), outside as (
  select n.school_id, x.region_code, n.year, n.student_pseudonym, n.admitted_at, p.window_opens_at, p.window_closes_at,
    n.event_id
  from asof_net_admissions($as_of::timestamptz) n join plans p using (school_id, year) join schools x using (school_id)
  where n.admitted_at < p.window_opens_at or n.admitted_at > p.window_closes_at
), public_opening as (
  select p.year, x.level, edumon_zone(x.region_code) as zone, min(p.window_opens_at) as opens
  from plans p join schools x using (school_id) where x.ownership = 'public' group by all
), early_private as (
  select p.school_id, x.region_code, p.year, p.window_opens_at, o.opens as public_opens, p.event_id
  from plans p join schools x using (school_id)
    join public_opening o on o.year = p.year and o.level = x.level and o.zone = edumon_zone(x.region_code)
  where x.ownership = 'private' and p.window_opens_at < o.opens
)
select 'ADM-OUT-OF-WINDOW' as rule, school_id, region_code, year::varchar as period, student_pseudonym as subject,
  null::double as observed, null::double as threshold,
  json_object('admitted_at', admitted_at, 'window_opens_at', window_opens_at, 'window_closes_at', window_closes_at,
    'event_id', event_id) as details
from outside
union all
select 'ADM-OUT-OF-WINDOW', school_id, region_code, year::varchar, null, null, null,
  json_object('window_opens_at', window_opens_at, 'earliest_public_opens_at', public_opens, 'event_id', event_id)
from early_private;

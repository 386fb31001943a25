-- rule: STAFF-POACHED
-- title: 五城区抢挖县中教师 / County high-school teacher taken by an urban high school
-- severity: warning
-- cadence: daily
-- feeds: registry
-- params: as_of, poach_window_days
-- policy: 县中 7：「严禁五城区学校到县中抢挖优秀校长和教师，对未经组织人事部门和教育主管部门同意，恶意从县中学校抢挖人才的，责令纠正」
-- measure: 离开县中后到城区学校任教相隔 / days from leaving the county school to teaching in the city
-- unit: 天 / days
-- comparison: 不超过 / within
-- subject: 教职工（化名 {short}） / staff member (pseudonym {short})
-- Over a teacher's versions in order: active full-time teacher at a county (non-urban) high school,
-- then the first later version at another school or inactive (leaving), then any version from
-- there on as an active full-time teacher at an urban high school within the window of leaving.
-- details.event_id: that urban staff version (the first of the month, by occurred_at then event_id).
with schools as (
  select * from asof_schools($as_of::timestamptz)
), versions as (
  select *, row_number() over (partition by staff_pseudonym order by occurred_at, event_id) as n
  from staff_versions where occurred_at <= $as_of::timestamptz
), county as (
  select v.* from versions v join schools x using (school_id)
  where v.active and v.role = 'full_time_teacher' and x.level = 'high_school' and edumon_zone(x.region_code) <> 'urban'
), leaving as (
  select a.staff_pseudonym, a.school_id as county_school_id, min(b.n) as left_n
  from county a join versions b on b.staff_pseudonym = a.staff_pseudonym and b.n > a.n
    and (b.school_id is distinct from a.school_id or not b.active)
  group by all
), left_at as (
  select l.*, b.occurred_at as left_at from leaving l join versions b on b.staff_pseudonym = l.staff_pseudonym and b.n = l.left_n
), joined as (
  select c.school_id, x.region_code, strftime(shanghai_time(c.occurred_at), '%Y-%m') as period, c.staff_pseudonym,
    min(l.county_school_id) as county_school_id, min(date_diff('day', l.left_at, c.occurred_at)) as days_after_leaving,
    arg_min(c.event_id, (c.occurred_at, c.event_id)) as event_id
  from left_at l join versions c on c.staff_pseudonym = l.staff_pseudonym and c.n >= l.left_n
    join schools x on x.school_id = c.school_id
  where c.active and c.role = 'full_time_teacher' and x.level = 'high_school' and edumon_zone(x.region_code) = 'urban'
    and c.occurred_at <= l.left_at + to_days($poach_window_days::integer)
  group by all
)
select 'STAFF-POACHED' as rule, school_id, region_code, period, staff_pseudonym as subject,
  days_after_leaving::double as observed, $poach_window_days::double as threshold,
  json_object('county_school_id', county_school_id, 'days_after_leaving', days_after_leaving, 'event_id', event_id) as details
from joined;

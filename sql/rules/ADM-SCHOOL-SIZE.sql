-- rule: ADM-SCHOOL-SIZE
-- title: 大规模学校 / Oversized new high school
-- severity: warning
-- cadence: daily
-- feeds: registry, enrollment
-- params: as_of, max_school_size, school_size_opened_from
-- policy: 县中 17：「积极稳妥化解大规模学校……新建普通高中学校规模不得超过3000人。」
-- measure: 在校生 / students enrolled
-- unit: 人 / students
-- comparison: 超过规模上限 / above the cap of
-- subject: none
-- An active high school opened in or after the given year with more active students than the
-- limit (县中 17: 3000). Period: the academic year of as_of (it starts in September).
-- details.event_id: the school version in force (the record saying it opened in a capped year);
-- no one of its thousands of enrollments is at fault.
with schools as (
  select * from asof_schools($as_of::timestamptz)
), students as (
  select * from asof_school_students($as_of::timestamptz)
), local as (
  select shanghai_time($as_of::timestamptz) as t
)
select 'ADM-SCHOOL-SIZE' as rule, x.school_id, x.region_code,
  (year(local.t) - case when month(local.t) < 9 then 1 else 0 end)::varchar as period, null::varchar as subject,
  s.students::double as observed, $max_school_size::double as threshold,
  json_object('students', s.students, 'opened_year', x.opened_year, 'event_id', x.event_id) as details
from schools x join students s using (school_id), local
where x.level = 'high_school' and x.status = 'active' and x.opened_year >= $school_size_opened_from::integer
  and s.students > $max_school_size::integer;

-- rule: ADM-CLASS-SIZE
-- title: 大班额 / Oversized grade-1 high-school class
-- severity: warning
-- cadence: daily
-- feeds: registry, enrollment
-- params: as_of, max_class_size
-- policy: 县中 17：「全面消除普通高中大班额……新入学年级班额不得超过55人。」
-- measure: 班额 / class size
-- unit: 人 / students
-- comparison: 超过 / above
-- subject: 班级 {} / class {}
-- A grade-1 class of an active high school with more active students than the limit (县中 17: 55).
-- details.event_id: the latest active enrollment into the class (by occurred_at, then event_id),
-- the newest record of a class already full; taken in the same pass that counts the class.
with schools as (
  select * from asof_schools($as_of::timestamptz)
), classes as (
  select e.school_id, x.region_code, e.year, e.class_id, count(*) as students,
    arg_max(e.event_id, (e.occurred_at, e.event_id)) as event_id
  from asof_active_enrollments($as_of::timestamptz) e join schools x using (school_id)
  where e.grade = 1 and x.level = 'high_school' and x.status = 'active'
  group by all
)
select 'ADM-CLASS-SIZE' as rule, school_id, region_code, year::varchar as period, class_id as subject,
  students::double as observed, $max_class_size::double as threshold,
  json_object('students', students, 'max_class_size', $max_class_size::integer, 'event_id', event_id) as details
from classes
where students > $max_class_size::integer;

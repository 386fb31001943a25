-- rule: KG-TEACHER-RATIO
-- title: 专任教师配备不足 / Too few full-time teachers in a public kindergarten
-- severity: warning
-- cadence: daily
-- feeds: registry, enrollment
-- params: as_of, kg_children_per_teacher
-- policy: 学前 6：「按照专任教师总数与在园幼儿总数之比不低于1：15的要求，逐步落实公办幼儿园机构编制标准。」
-- measure: 每名专任教师对应幼儿 / children per full-time teacher
-- unit: 人 / children
-- comparison: 超过 / above
-- subject: none
-- An active public kindergarten with fewer than one full-time teacher per 15 active children.
-- details.event_id: the school version in force (no one staff or enrollment record is at fault).
with schools as (
  select * from asof_schools($as_of::timestamptz)
), counts as (
  select x.school_id, x.region_code, x.event_id, s.students, coalesce(t.teachers, 0) as teachers
  from schools x join asof_school_students($as_of::timestamptz) s using (school_id)
    left join asof_school_teachers($as_of::timestamptz) t using (school_id)
  where x.level = 'kindergarten' and x.ownership = 'public' and x.status = 'active'
)
select 'KG-TEACHER-RATIO' as rule, school_id, region_code, year(shanghai_time($as_of::timestamptz))::varchar as period,
  null::varchar as subject, round(students / nullif(teachers, 0), 2)::double as observed, $kg_children_per_teacher::double as threshold,
  json_object('children', students, 'teachers', teachers, 'event_id', event_id) as details
from counts
where teachers * $kg_children_per_teacher::decimal(18, 4) < students;

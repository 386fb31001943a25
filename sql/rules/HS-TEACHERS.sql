-- rule: HS-TEACHERS
-- title: 走班教师增配不足 / Too few high-school teachers for course selection
-- severity: warning
-- cadence: daily
-- feeds: registry, enrollment
-- params: as_of, hs_students_per_teacher, hs_teacher_uplift
-- policy: 县中 13：「在依据国家规定标准完成教职工配备的基础上，按不低于10%的比例增配走班教学所需教师。」
-- measure: 专任教师 / full-time teachers
-- unit: 人 / teachers
-- comparison: 少于应配 / fewer than the required
-- subject: none
-- An active high school with fewer full-time teachers than uplift x students / students-per-teacher
-- (县中 13: 1.10 x students / 12.5), compared in exact decimals. details.event_id: the school version
-- in force (no one staff or enrollment record is at fault).
with counts as (
  select x.school_id, x.region_code, x.event_id, s.students, coalesce(t.teachers, 0) as teachers
  from asof_schools($as_of::timestamptz) x join asof_school_students($as_of::timestamptz) s using (school_id)
    left join asof_school_teachers($as_of::timestamptz) t using (school_id)
  where x.level = 'high_school' and x.status = 'active'
)
select 'HS-TEACHERS' as rule, school_id, region_code, year(shanghai_time($as_of::timestamptz))::varchar as period,
  null::varchar as subject, teachers::double as observed,
  (students * $hs_teacher_uplift::decimal(18, 4) / $hs_students_per_teacher::decimal(18, 4))::double as threshold,
  json_object('teachers', teachers, 'students', students, 'event_id', event_id) as details
from counts
where teachers * $hs_students_per_teacher::decimal(18, 4) < students * $hs_teacher_uplift::decimal(18, 4);

-- Students as of t. A net admission of (student, school, year) has more admitted than cancelled
-- events; its time, home region and type are those of the admitted event, and event_id is the
-- admitted event at that time (the first by occurred_at, then event_id), the record an alert
-- names so an official can find it on the admission platform. An active student
-- of a school is enrolled there with no departure from it at or after the enrollment.
-- @shared: a rule sweep computes it once (alerts/sharedState.ts)
create or replace macro asof_net_admissions(t) as table
  with admitted as (
    select school_id, student_pseudonym, year, count(*) as admitted, min(occurred_at) as admitted_at,
      min(home_region_code) as home_region_code, min(admission_type) as admission_type,
      arg_min(event_id, (occurred_at, event_id)) as event_id
    from admissions where occurred_at <= t group by all
  ), cancelled as (
    select school_id, student_pseudonym, year, count(*) as cancelled
    from admission_cancellations where occurred_at <= t group by all
  )
  select a.school_id, a.student_pseudonym, a.year, a.admitted_at, a.home_region_code, a.admission_type, a.event_id
  from admitted a left join cancelled c using (school_id, student_pseudonym, year)
  where a.admitted > coalesce(c.cancelled, 0);

create or replace macro asof_active_enrollments(t) as table
  -- "No departure at or after the enrollment" is "the last departure (if any) is before it":
  -- an equi-join on an aggregate, several times faster than the correlated anti-join.
  with last_departure as (
    select school_id, student_pseudonym, max(occurred_at) as left_at
    from enrollment_departures where occurred_at <= t group by all
  )
  select e.* from enrollments e left join last_departure d using (school_id, student_pseudonym)
  where e.occurred_at <= t and (d.left_at is null or d.left_at < e.occurred_at);

-- Active students and full-time teachers per school (schools with none are absent).
-- @shared: a rule sweep computes it once (alerts/sharedState.ts)
create or replace macro asof_school_students(t) as table
  select school_id, count(*)::bigint as students from asof_active_enrollments(t) group by all;

-- @shared: a rule sweep computes it once (alerts/sharedState.ts)
create or replace macro asof_school_teachers(t) as table
  select school_id, count(*)::bigint as teachers from asof_staff(t)
  where active and role = 'full_time_teacher' and school_id is not null group by all;

comment on macro table asof_net_admissions is '截至时刻 t 的净录取：某学生某校某年录取多于撤销，含录取时间、户籍地、录取类型与录取事件 event_id / Net admissions as of t: (student, school, year) admitted more often than cancelled, with the admitted time, home region, type and admitted event_id';
comment on macro table asof_active_enrollments is '截至时刻 t 的在籍学生：注册后未从该校离校的注册记录（enrollments 的列） / Active enrollments as of t: enrollments with no departure from that school at or after them (the columns of enrollments)';
comment on macro table asof_school_students is '截至时刻 t 每所学校的在籍学生数（students；无学生的学校不出现） / Active students per school as of t (students; schools with none are absent)';
comment on macro table asof_school_teachers is '截至时刻 t 每所学校的在职专任教师数（teachers；无教师的学校不出现） / Active full-time teachers per school as of t (teachers; schools with none are absent)';

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

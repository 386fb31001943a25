-- Students as of t. A net admission of (student, school, year) has more admitted than cancelled
-- events; its time, home region and type are those of the admitted event. An active student
-- of a school is enrolled there with no departure from it at or after the enrollment.
create or replace macro asof_net_admissions(t) as table
  with admitted as (
    select school_id, student_pseudonym, year, count(*) as admitted, min(occurred_at) as admitted_at,
      min(home_region_code) as home_region_code, min(admission_type) as admission_type
    from admissions where occurred_at <= t group by all
  ), cancelled as (
    select school_id, student_pseudonym, year, count(*) as cancelled
    from admission_cancellations where occurred_at <= t group by all
  )
  select a.school_id, a.student_pseudonym, a.year, a.admitted_at, a.home_region_code, a.admission_type
  from admitted a left join cancelled c using (school_id, student_pseudonym, year)
  where a.admitted > coalesce(c.cancelled, 0);

create or replace macro asof_active_enrollments(t) as table
  select e.* from enrollments e
  where e.occurred_at <= t
    and not exists (
      select 1 from enrollment_departures d
      where d.occurred_at <= t and d.school_id = e.school_id and d.student_pseudonym = e.student_pseudonym
        and d.occurred_at >= e.occurred_at);

-- Active students and full-time teachers per school (schools with none are absent).
create or replace macro asof_school_students(t) as table
  select school_id, count(*)::bigint as students from asof_active_enrollments(t) group by all;

create or replace macro asof_school_teachers(t) as table
  select school_id, count(*)::bigint as teachers from asof_staff(t)
  where active and role = 'full_time_teacher' and school_id is not null group by all;

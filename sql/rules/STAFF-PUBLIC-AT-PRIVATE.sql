-- rule: STAFF-PUBLIC-AT-PRIVATE
-- title: 公办教师在民办学校任教 / Public-post staff working at a private school
-- severity: critical
-- cadence: daily
-- feeds: registry, payroll
-- params: as_of, wage_due_day
-- policy: 县中 7：「从严规范借用教师行为，任何单位不得占用教职工编制或长期借用教师，严禁公办学校教师在民办学校任教。」
-- measure: none
-- unit: none
-- comparison: none
-- subject: 教职工（化名 {short}） / staff member (pseudonym {short})
-- (a) the current staff version is active, public_post, at a private school (period: month of that
-- version); (b) a wage paid by a private school for an owed month whose employer version is a
-- public_post at another, public school (period: month of the payment; one per payer, staff, month).
-- details.event_id: (a) that staff version; (b) the private school's payment (its first that month,
-- by occurred_at then event_id): the act found, while the staff version only says public_post.
with schools as (
  select * from asof_schools($as_of::timestamptz)
), placed as (
  select s.school_id, x.region_code, strftime(shanghai_time(s.occurred_at), '%Y-%m') as period, s.staff_pseudonym, s.event_id
  from asof_staff($as_of::timestamptz) s join schools x using (school_id)
  where s.active and s.employment = 'public_post' and x.ownership = 'private'
), paid as (
  select distinct w.school_id, payer.region_code, strftime(shanghai_time(w.occurred_at), '%Y-%m') as period, w.staff_pseudonym,
    o.school_id as employer_id, w.occurred_at, w.event_id
  from wage_payments w join schools payer using (school_id)
    join asof_owed_months($as_of::timestamptz, $wage_due_day::integer) o on o.staff_pseudonym = w.staff_pseudonym and o.period = w.period
    join schools employer on employer.school_id = o.school_id
  where w.occurred_at <= $as_of::timestamptz and payer.ownership = 'private' and o.employment = 'public_post'
    and employer.ownership = 'public' and w.school_id <> o.school_id
)
select 'STAFF-PUBLIC-AT-PRIVATE' as rule, school_id, region_code, period, staff_pseudonym as subject,
  null::double as observed, null::double as threshold, json_object('finding', 'public_post at a private school', 'event_id', event_id) as details
from placed
union
select 'STAFF-PUBLIC-AT-PRIVATE', school_id, region_code, period, staff_pseudonym, null, null,
  json_object('finding', 'paid by a private school', 'employer_school_id', min(employer_id),
    'event_id', arg_min(event_id, (occurred_at, event_id)))
from paid group by all;

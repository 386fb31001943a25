-- rule: DQ-UNKNOWN-SCHOOL
-- title: 未登记学校 / Events about a school the registry does not know
-- severity: warning
-- cadence: daily
-- feeds: registry, admission, enrollment, payroll, funds
-- params: as_of
-- policy: none: 学校名录中没有的学校，其事件逃过所有按学校名录判断的规则。 / An event about a school the registry does not know escapes every rule that joins on the registry.
-- measure: 提及该校的事件 / events naming the school
-- unit: 条 / events
-- comparison: 超过 / above
-- subject: none
-- A school_id named by any event other than school.upserted with no school.upserted by as_of.
-- Period: the Shanghai date of the earliest event naming it; details.event_id and event_type: that
-- event (ties by event_id; the type too, as event ids are unique only within an event type).
with named as (
  select school_id, occurred_at, event_id, 'staff.upserted' as event_type from staff_versions where school_id is not null
  union all select school_id, occurred_at, event_id, 'admission_plan.published' as event_type from admission_plans
  union all select school_id, occurred_at, event_id, 'admission.admitted' as event_type from admissions
  union all select school_id, occurred_at, event_id, 'admission.cancelled' as event_type from admission_cancellations
  union all select school_id, occurred_at, event_id, 'enrollment.enrolled' as event_type from enrollments
  union all select school_id, occurred_at, event_id, 'enrollment.left' as event_type from enrollment_departures
  union all select school_id, occurred_at, event_id, 'funds.disbursed' as event_type from fund_disbursements
  union all select school_id, occurred_at, event_id, 'wage.paid' as event_type from wage_payments
  union all select school_id, occurred_at, event_id, 'social_insurance.paid' as event_type from insurance_payments
), unknown as (
  select school_id, min(occurred_at) as first_seen, count(*) as events,
    arg_min(event_id, (occurred_at, event_id)) as first_event_id, arg_min(event_type, (occurred_at, event_id)) as first_event_type
  from named
  where occurred_at <= $as_of::timestamptz
    and school_id not in (select school_id from school_versions where occurred_at <= $as_of::timestamptz)
  group by all
)
select 'DQ-UNKNOWN-SCHOOL' as rule, school_id, null::varchar as region_code,
  strftime(shanghai_time(first_seen), '%Y-%m-%d') as period, null::varchar as subject,
  events::double as observed, 0::double as threshold, json_object('events', events, 'first_seen', first_seen, 'event_id', first_event_id,
    'event_type', first_event_type) as details
from unknown;

-- rule: DQ-UNKNOWN-SCHOOL
-- title: 未登记学校 / Events about a school the registry does not know
-- severity: warning
-- cadence: daily
-- feeds: registry, admission, enrollment, payroll, funds
-- params: as_of
-- policy: none: data health. An event about a school the registry does not know escapes every rule that joins on the registry.
-- A school_id named by any event other than school.upserted with no school.upserted by as_of.
-- Period: the Shanghai date of the earliest event naming it.
with named as (
  select school_id, occurred_at from staff_versions where school_id is not null
  union all select school_id, occurred_at from admission_plans
  union all select school_id, occurred_at from admissions
  union all select school_id, occurred_at from admission_cancellations
  union all select school_id, occurred_at from enrollments
  union all select school_id, occurred_at from enrollment_departures
  union all select school_id, occurred_at from fund_disbursements
  union all select school_id, occurred_at from wage_payments
  union all select school_id, occurred_at from insurance_payments
), unknown as (
  select school_id, min(occurred_at) as first_seen, count(*) as events from named
  where occurred_at <= $as_of::timestamptz
    and school_id not in (select school_id from school_versions where occurred_at <= $as_of::timestamptz)
  group by all
)
select 'DQ-UNKNOWN-SCHOOL' as rule, school_id, null::varchar as region_code,
  strftime(shanghai_time(first_seen), '%Y-%m-%d') as period, null::varchar as subject,
  events::double as observed, 0::double as threshold, json_object('events', events, 'first_seen', first_seen) as details
from unknown;

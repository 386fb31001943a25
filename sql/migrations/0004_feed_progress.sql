-- How far in event time each feed's stored data reaches, per topic-partition: the greatest
-- occurred_at of the feed's events written from that partition, kept in the same transaction as
-- the partition's offset (pipeline/sink.ts), so it survives restarts and never moves backwards
-- (a replay from the earliest offset writes greatest(old, batch max)). Rules judge as of their
-- feeds' watermarks (this minus the allowed lateness; alerts/feedWatermarks.ts).
create table feed_progress (
  feed varchar not null,
  topic varchar not null,
  "partition" integer not null,
  max_occurred_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (feed, topic, "partition")
);

-- A warehouse filled before this migration: its stored events' progress, under no partition
-- (topic '', partition -1), so its rules are not held back until new events arrive.
insert into feed_progress
select feed, '', -1, max(occurred_at), now() from (
  select 'registry' as feed, occurred_at from school_versions
  union all select 'registry', occurred_at from staff_versions
  union all select 'registry', occurred_at from township_versions
  union all select 'registry', occurred_at from population_reports
  union all select 'admission', occurred_at from admission_plans
  union all select 'admission', occurred_at from admissions
  union all select 'admission', occurred_at from admission_cancellations
  union all select 'enrollment', occurred_at from enrollments
  union all select 'enrollment', occurred_at from enrollment_departures
  union all select 'payroll', occurred_at from wage_payments
  union all select 'payroll', occurred_at from insurance_payments
  union all select 'funds', occurred_at from fund_disbursements
)
group by feed;

-- The moment each rule judged: the earliest of the sweep's requested moment (as_of) and its
-- feeds' watermarks. Older runs judged as of their requested moment.
alter table rule_runs add column effective_as_of timestamptz;
update rule_runs set effective_as_of = as_of;

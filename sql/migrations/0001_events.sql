-- One table per event type. Columns carry the contract's field names, except that student_id
-- and staff_id are stored only as keyed pseudonyms (student_pseudonym, staff_pseudonym).
-- event_id is the idempotency key: a redelivered event is stored once.
-- Registry tables keep every version; the current_* views pick the latest.

create table school_versions (
  event_id varchar primary key, occurred_at timestamptz not null, source varchar,
  school_id varchar not null, name varchar not null, level varchar not null, ownership varchar not null,
  region_code varchar not null, township_code varchar, status varchar not null,
  licensed boolean not null, capacity integer not null,
  puhui boolean, nonprofit boolean, township_central boolean, built_year smallint,
  outdoor_play_area_m2 double, activity_room_area_m2 double, building_area_m2 double,
  opened_year smallint, tuition_yuan_per_year decimal(14, 2), cost_per_student_yuan_per_year decimal(14, 2),
  ingested_at timestamptz not null
);

create table staff_versions (
  event_id varchar primary key, occurred_at timestamptz not null, source varchar,
  staff_pseudonym varchar not null, school_id varchar, region_code varchar not null,
  role varchar not null, employment varchar not null, active boolean not null,
  monthly_wage_yuan decimal(14, 2) not null,
  ingested_at timestamptz not null
);

create table township_versions (
  event_id varchar primary key, occurred_at timestamptz not null, source varchar,
  township_code varchar not null, region_code varchar not null, name varchar not null, population integer not null,
  ingested_at timestamptz not null
);

create table population_reports (
  event_id varchar primary key, occurred_at timestamptz not null, source varchar,
  region_code varchar not null, year smallint not null, age_3_5 integer not null, age_15_17 integer not null,
  ingested_at timestamptz not null
);

create table admission_plans (
  event_id varchar primary key, occurred_at timestamptz not null, source varchar,
  school_id varchar not null, year smallint not null, plan_quota integer not null,
  window_opens_at timestamptz not null, window_closes_at timestamptz not null,
  ingested_at timestamptz not null
);

create table admissions (
  event_id varchar primary key, occurred_at timestamptz not null, source varchar,
  school_id varchar not null, student_pseudonym varchar not null, year smallint not null,
  home_region_code varchar not null, admission_type varchar not null,
  ingested_at timestamptz not null
);

create table admission_cancellations (
  event_id varchar primary key, occurred_at timestamptz not null, source varchar,
  school_id varchar not null, student_pseudonym varchar not null, year smallint not null, reason varchar,
  ingested_at timestamptz not null
);

create table enrollments (
  event_id varchar primary key, occurred_at timestamptz not null, source varchar,
  school_id varchar not null, student_pseudonym varchar not null, year smallint not null,
  level varchar not null, grade tinyint not null, class_id varchar not null,
  home_region_code varchar not null, birth_date date,
  ingested_at timestamptz not null
);

create table enrollment_departures (
  event_id varchar primary key, occurred_at timestamptz not null, source varchar,
  school_id varchar not null, student_pseudonym varchar not null, reason varchar not null,
  ingested_at timestamptz not null
);

create table fund_disbursements (
  event_id varchar primary key, occurred_at timestamptz not null, source varchar,
  school_id varchar not null, fiscal_year smallint not null, fund_type varchar not null,
  amount_yuan decimal(14, 2) not null,
  ingested_at timestamptz not null
);

create table wage_payments (
  event_id varchar primary key, occurred_at timestamptz not null, source varchar,
  school_id varchar not null, staff_pseudonym varchar not null, period varchar not null,
  amount_yuan decimal(14, 2) not null,
  ingested_at timestamptz not null
);

create table insurance_payments (
  event_id varchar primary key, occurred_at timestamptz not null, source varchar,
  school_id varchar not null, staff_pseudonym varchar not null, period varchar not null,
  amount_yuan decimal(14, 2) not null,
  ingested_at timestamptz not null
);

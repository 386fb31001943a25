-- Alert state, kept in the warehouse (issue #4). An alert's id is derived from its identity
-- (rule, school_id, region_code, period, subject), so the same violation is the same alert from
-- run to run; a resolved alert that returns reopens with the next occurrence number.

create table rule_runs (
  rule varchar not null,
  as_of timestamptz not null,
  started_at timestamptz not null,
  duration_ms integer not null,
  rows_found integer,
  ok boolean not null,
  error varchar
);

create table alerts (
  id varchar primary key,
  rule varchar not null,
  school_id varchar,
  region_code varchar,
  period varchar not null,
  subject varchar,
  severity varchar not null,
  status varchar not null,          -- open | resolved
  occurrence integer not null,      -- 1, then +1 at each reopening
  opened_at timestamptz not null,   -- when the current occurrence opened
  last_seen_at timestamptz not null,
  resolved_at timestamptz,
  observed varchar,
  threshold varchar,
  details json,
  acked_at timestamptz,
  ack_note varchar
);

create table alert_transitions (
  alert_id varchar not null,
  kind varchar not null,            -- open | reopen | resolve
  occurrence integer not null,
  happened_at timestamptz not null
);

create table silences (
  id varchar primary key,
  rule varchar not null,
  school_id varchar,
  region_code varchar,
  until timestamptz not null,
  reason varchar not null,
  created_at timestamptz not null
);

-- One run's transitions, staged so that apply_transitions changes the alerts set-based.
-- alerts/alertStore.ts appends to it column by column, in this order.
create or replace temp table staged_transitions (
  kind varchar,          -- open | still_open | reopen | resolve
  id varchar,
  occurrence integer,
  happened_at varchar,
  severity varchar,
  rule varchar,
  school_id varchar,
  region_code varchar,
  period varchar,
  subject varchar,
  observed varchar,
  threshold varchar,
  details varchar
)

-- The alerts one run holds back, staged so that hold_alerts stores them set-based.
-- alerts/alertStore.ts appends to it column by column, in this order.
create or replace temp table staged_held (
  rule varchar,
  school_id varchar,
  region_code varchar,
  period varchar,
  subject varchar,
  observed varchar,
  threshold varchar,
  details varchar,
  held_at varchar
)

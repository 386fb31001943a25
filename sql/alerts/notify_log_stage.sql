-- The notify_log rows of one round, staged so that notify_log_upsert writes them set-based.
-- alerts/notify/notifyStore.ts appends to it column by column, in this order.
create or replace temp table staged_notify_log (
  alert_id varchar,
  contact_id varchar,
  occurrence integer,
  status varchar,
  notified_at varchar,
  told_at varchar,
  escalated boolean
)

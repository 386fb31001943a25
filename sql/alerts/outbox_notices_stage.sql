-- The notices of one round's alert emails, staged so that outbox_notices_insert writes them
-- set-based. alerts/notify/notifyStore.ts appends to it column by column, in this order.
create or replace temp table staged_outbox_notices (
  outbox_id varchar,
  alert_id varchar,
  contact_id varchar,
  occurrence integer,
  status varchar,
  kind varchar,
  escalated boolean
)

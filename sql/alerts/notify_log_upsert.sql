-- Records what each contact was told in this round (one row per alert and contact, the latest
-- wins). Runs inside the transaction that writes the outbox rows.
insert or replace into notify_log (alert_id, contact_id, occurrence, status, notified_at, told_at, escalated)
select alert_id, contact_id, occurrence, status, notified_at::timestamptz, told_at::timestamptz, escalated from temp.staged_notify_log

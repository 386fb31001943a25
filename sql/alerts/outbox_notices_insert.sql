-- Records what each alert email of this round tells its contact (one row per email and alert);
-- a row already there (a redone sweep writes the same email ids) is not written twice. Runs
-- inside the transaction that writes the outbox rows.
insert into outbox_notices (outbox_id, alert_id, contact_id, occurrence, status, kind, escalated)
select s.outbox_id, s.alert_id, s.contact_id, s.occurrence, s.status, s.kind, s.escalated from temp.staged_outbox_notices s
where not exists (select 1 from outbox_notices n where n.outbox_id = s.outbox_id and n.alert_id = s.alert_id)

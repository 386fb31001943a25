-- Keeps one acknowledgement in alert_acks, which outlives a reopening (rules' judged precision).
-- Parameters: $id, $occurrence, $at, $by, $outcome, $note, as ack_alert.sql.
insert into alert_acks (alert_id, occurrence, acked_at, acked_by, outcome, note)
values ($id, $occurrence, $at::timestamptz, $by::varchar, $outcome::varchar, $note::varchar)

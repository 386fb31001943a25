-- Acknowledges one alert (until it reopens) with the official's outcome. Parameters: $id, $note,
-- $outcome (confirmed | fixed | data_wrong | false_alarm, or null), $by (a console login, or cli),
-- $at (when). Returns the id and the occurrence acknowledged, or no row for an unknown alert.
update alerts set acked_at = $at::timestamptz, ack_note = $note::varchar, ack_outcome = $outcome::varchar, acked_by = $by::varchar
where id = $id
returning id, occurrence

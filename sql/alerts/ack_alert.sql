-- Acknowledges one alert (until it reopens). Parameters: $id, $note. Returns the id, or no row
-- for an unknown alert.
update alerts set acked_at = now(), ack_note = $note::varchar
where id = $id
returning id

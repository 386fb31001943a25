-- The rule of one alert and its subject (a runner-raised alert names its rule there), so the
-- service runs an ack beside that rule's sweeps. Parameters: $id.
select rule, subject from alerts where id = $id

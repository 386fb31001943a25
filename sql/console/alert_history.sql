-- An alert's lifecycle, oldest first: each transition (open, reopen, resolve) and each
-- acknowledgement with its outcome, note and who. Parameters: $id.
select happened_at as "at", kind, occurrence, null as who, null as outcome, null as note
from alert_transitions where alert_id = $id
union all
select acked_at, 'ack', occurrence, acked_by, outcome, note
from alert_acks where alert_id = $id
order by "at", kind

-- The (alert, contact) pairs with a notice no server accepted yet that holds back a new one: in
-- an email waiting to be sent (pending, or of unknown outcome), or in one failed or held while
-- the alert is still as it told (same occurrence and status; queued again by `edumon notify
-- retry`, a restart or the server back). Of the rules in $rules as in notify_candidates.sql.
select distinct n.alert_id, n.contact_id
from outbox_notices n join outbox o on o.id = n.outbox_id join alerts a on a.id = n.alert_id
where (o.state in ('pending', 'unknown') or (o.state in ('failed', 'held') and a.occurrence = n.occurrence and a.status = n.status))
  and ($rules::varchar is null
    or list_contains(string_split($rules::varchar, ','), a.rule)
    or (a.rule in ('DQ-RULE-FAILED', 'DQ-ALERT-STORM') and list_contains(string_split($rules::varchar, ','), a.subject)))

-- An alert email was accepted for its recipient: the contact is now told of what it says (each
-- alert's occurrence and status). The moment recorded is the email's composition (outbox
-- created_at: the round's `now`, the policy's clock, from which reminders and escalation count).
-- told_at is kept while the contact is told of the same occurrence and status (escalation counts
-- from the first time); escalated stays once set for the occurrence. Never goes back to an
-- earlier occurrence. Runs in the transaction that records the attempt. Parameters: $id (outbox.id).
insert or replace into notify_log (alert_id, contact_id, occurrence, status, notified_at, told_at, escalated)
select n.alert_id, n.contact_id, n.occurrence, n.status, o.created_at,
  case when l.occurrence = n.occurrence and l.status = n.status then l.told_at else o.created_at end,
  coalesce(l.escalated and l.occurrence = n.occurrence, false) or n.escalated
from outbox_notices n join outbox o on o.id = n.outbox_id
  left join notify_log l on l.alert_id = n.alert_id and l.contact_id = n.contact_id
where n.outbox_id = $id and (l.occurrence is null or l.occurrence <= n.occurrence)

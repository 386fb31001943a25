-- Every alert email that told of an alert, newest first: to whom, when, why, its state and the
-- server's last reply (outbox_notices names each email's alerts). Parameters: $id.
select o.id, o.contact_id, o.address, n.kind as notice, o.subject, o.created_at, o.state, o.sent_at, o.attempts, o.last_code, o.last_reply
from outbox_notices n join outbox o on o.id = n.outbox_id
where n.alert_id = $id
order by o.created_at desc, o.contact_id

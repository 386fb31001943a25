-- For each alert and contact, the state of the latest email telling the contact of the alert's
-- current occurrence (pending, unknown, failed, held, sent), for `edumon notify list --alerts`.
select n.alert_id, n.contact_id, arg_max(o.state, o.created_at) as state
from outbox_notices n join outbox o on o.id = n.outbox_id join alerts a on a.id = n.alert_id
where n.occurrence = a.occurrence
group by all

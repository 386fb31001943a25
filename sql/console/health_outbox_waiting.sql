-- The data-health page's emails that need a person: failed, held (no reply to the final dot too
-- often) or of unknown outcome, newest first; the contact's id, never the address.
-- Parameters: $limit.
select id, epoch_ms(created_at) as created_ms, contact_id, kind, subject, state, attempts, last_code
from outbox
where state in ('failed', 'held', 'unknown')
order by created_at desc, id
limit $limit

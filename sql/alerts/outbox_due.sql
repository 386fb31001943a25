-- The emails due for an attempt as of $now: pending or of unknown outcome, next attempt reached,
-- oldest first, at most $limit (times ISO 8601 UTC).
select id, message_id, contact_id, address, kind, subject, html, "text", attachments, alert_ids,
  strftime(timezone('UTC', created_at), '%Y-%m-%dT%H:%M:%S.%gZ') as created_at, state, attempts
from outbox
where state in ('pending', 'unknown') and next_attempt_at <= $now::timestamptz
order by created_at, id
limit $limit::integer

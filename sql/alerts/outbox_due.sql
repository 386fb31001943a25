-- The emails due for an attempt as of $now: pending or of unknown outcome, next attempt reached,
-- oldest first, at most $limit, leaving out the ids in $busy (comma-separated: attempts in
-- flight). With when each was last queued (giving up counts from it) and how many of its attempts
-- since ended without a reply to the final dot (times ISO 8601 UTC).
select o.id, o.message_id, o.contact_id, o.address, o.kind, o.subject, o.html, o."text", o.attachments, o.alert_ids,
  strftime(timezone('UTC', o.created_at), '%Y-%m-%dT%H:%M:%S.%gZ') as created_at,
  strftime(timezone('UTC', coalesce(o.queued_at, o.created_at)), '%Y-%m-%dT%H:%M:%S.%gZ') as queued_at,
  o.state, o.attempts,
  (select count(*) from outbox_attempts a
   where a.outbox_id = o.id and a.outcome = 'unknown' and a.attempted_at >= coalesce(o.queued_at, o.created_at))::integer as unknowns
from outbox o
where o.state in ('pending', 'unknown') and o.next_attempt_at <= $now::timestamptz
  and not list_contains(string_split(coalesce($busy::varchar, ''), ','), o.id)
order by o.created_at, o.id
limit $limit::integer

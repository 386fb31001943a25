-- How many attempts to one contact failed for good since an email to it was last accepted (all
-- of them if none ever was), an email held after it (no reply to its final dot too often)
-- counting as one: DQ-NOTIFY-FAILED's failed_count. Parameters: $contact_id.
select count(*)::integer as n
from outbox_attempts a join outbox o on o.id = a.outbox_id
where o.contact_id = $contact_id
  and (a.outcome = 'failed' or (o.state = 'held' and a.outcome = 'unknown' and a.attempted_at = o.next_attempt_at))
  and a.attempted_at > coalesce((
    select max(s.attempted_at) from outbox_attempts s join outbox so on so.id = s.outbox_id
    where so.contact_id = $contact_id and s.outcome = 'sent'), '-infinity'::timestamptz)

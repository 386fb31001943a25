-- The outbox as `edumon notify list` shows it, newest first. Times are shown to people:
-- Asia/Shanghai with its offset, computed here so the host's TZ plays no part.
-- Parameters: $state (null for any).
select id, strftime(timezone('Asia/Shanghai', created_at), '%Y-%m-%dT%H:%M:%S+08:00') as created_at,
  contact_id, address, kind, subject, state, attempts, last_code, last_reply
from outbox
where $state::varchar is null or state = $state::varchar
order by created_at desc, id

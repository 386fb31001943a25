-- The audit trail, newest first. Parameters: $limit, $offset, $user_id (null: everyone), $outcome (null: any).
select happened_at, user_id, action, target, outcome, address, detail
from console_audit
where ($user_id::varchar is null or user_id = $user_id) and ($outcome::varchar is null or outcome = $outcome)
order by happened_at desc
limit $limit offset $offset

-- One page of the audit trail for /admin/audit, newest first, each row with the count of every row
-- the filter matches (`total`). Parameters: $limit, $offset; $user_id (null: everyone; else what
-- that login did and the logins tried as it while nobody was signed in); $outcome (null: any).
select happened_at, user_id, action, target, outcome, address, detail, count(*) over () as total
from console_audit
where ($user_id::varchar is null or user_id = $user_id or (user_id is null and action = 'login' and target = $user_id))
  and ($outcome::varchar is null or outcome = $outcome)
order by happened_at desc, rowid desc
limit $limit offset $offset

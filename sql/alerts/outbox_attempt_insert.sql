-- Records one delivery attempt. Runs in the transaction of outbox_attempt_update.
-- Parameters: $id, $attempted_at, $outcome (sent | retry | failed | unknown), $code, $reply.
insert into outbox_attempts (outbox_id, attempted_at, outcome, code, reply)
values ($id, $attempted_at::timestamptz, $outcome, $code::integer, $reply::varchar)

-- An email's state after an attempt: sent, failed, held (no reply to the final dot too often: it
-- waits for `edumon notify retry`, with $hold_reason), or waiting (pending after a 4xx or a
-- transport error, unknown after no reply to the message data) until $next_attempt_at.
-- Parameters: $id, $state, $next_attempt_at, $sent_at (null unless sent), $code, $reply, $hold_reason.
update outbox set state = $state, attempts = attempts + 1, next_attempt_at = $next_attempt_at::timestamptz,
  sent_at = $sent_at::timestamptz, last_code = $code::integer, last_reply = $reply::varchar, hold_reason = $hold_reason::varchar
where id = $id

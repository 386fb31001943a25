-- When the next email not yet sent falls due (ISO 8601 UTC), or null when none waits: the
-- sender's timer.
select strftime(timezone('UTC', min(next_attempt_at)), '%Y-%m-%dT%H:%M:%S.%gZ') as at
from outbox
where state in ('pending', 'unknown')

-- The data-health page's outbox: emails by state and kind, with the oldest and newest created
-- (epoch ms), and the next attempt due among those still waiting.
select state, kind, count(*) as n, epoch_ms(min(created_at)) as oldest_ms, epoch_ms(max(created_at)) as newest_ms,
  epoch_ms(min(next_attempt_at) filter (where state in ('pending', 'unknown'))) as next_attempt_ms
from outbox
group by state, kind
order by state, kind

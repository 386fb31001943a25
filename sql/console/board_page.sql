-- One page of the board: unacknowledged open alerts first, then silenced, acknowledged, resolved;
-- within each the most severe first, then the oldest first (the longest unanswered at the top).
-- Parameters: board_scoped.sql's, $limit, $offset.
select id, rule, severity, status, state, school_id, region_code, period, subject, observed, threshold,
  opened_at, resolved_at, acked_at, ack_outcome, occurrence, count(*) over () as total
from board
order by case state when 'open' then 0 when 'silenced' then 1 when 'acked' then 2 else 3 end,
  case severity when 'critical' then 0 when 'warning' then 1 else 2 end,
  opened_at, id
limit $limit offset $offset

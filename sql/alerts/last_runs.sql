-- When each rule last ran (ISO 8601 UTC), so a restarted scheduler does not run the daily rules
-- again the same day.
select rule, strftime(timezone('UTC', max(started_at)), '%Y-%m-%dT%H:%M:%S.%fZ') as at
from rule_runs
group by rule

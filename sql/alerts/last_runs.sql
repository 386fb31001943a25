-- When each rule last ran (ISO 8601 UTC), so a restarted scheduler does not run the daily rules
-- again the same day, and the latest moment it judged (effective_as_of: daily rules are due when
-- their effective moment passes a 02:00 boundary they have not judged at).
select rule, strftime(timezone('UTC', max(started_at)), '%Y-%m-%dT%H:%M:%S.%fZ') as at,
  strftime(timezone('UTC', max(coalesce(effective_as_of, as_of))), '%Y-%m-%dT%H:%M:%S.%fZ') as effective
from rule_runs
group by rule

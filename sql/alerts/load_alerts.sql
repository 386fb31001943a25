-- Every alert of one rule, open or resolved, as the lifecycle keeps it (times ISO 8601 UTC).
-- Parameters: $rule.
select id, rule, school_id, region_code, period, subject, severity, status, occurrence,
  strftime(timezone('UTC', opened_at), '%Y-%m-%dT%H:%M:%S.%gZ') as opened_at,
  strftime(timezone('UTC', last_seen_at), '%Y-%m-%dT%H:%M:%S.%gZ') as last_seen_at,
  strftime(timezone('UTC', resolved_at), '%Y-%m-%dT%H:%M:%S.%gZ') as resolved_at,
  observed, threshold, details
from alerts
where rule = $rule

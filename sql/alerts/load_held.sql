-- The alerts held back for one rule by the storm valve (times ISO 8601 UTC). Parameters: $rule.
select rule, school_id, region_code, period, subject, observed, threshold, details,
  strftime(timezone('UTC', held_at), '%Y-%m-%dT%H:%M:%S.%gZ') as held_at
from held_alerts
where rule = $rule

-- Forgets what the storm valve held for one rule (before holding the next run's, or on release).
-- Parameters: $rule.
delete from held_alerts where rule = $rule

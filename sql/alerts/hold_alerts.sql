-- Stores the staged held alerts (after clear_held forgot the rule's previous ones). Runs inside
-- the run's transaction.
insert into held_alerts (rule, school_id, region_code, period, subject, observed, threshold, details, held_at)
select rule, school_id, region_code, period, subject, observed, threshold, details::json, held_at::timestamptz
from temp.staged_held

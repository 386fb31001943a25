-- One alert, everything its page shows. Parameters: $id.
select id, rule, school_id, region_code, period, subject, severity, status, occurrence, opened_at, last_seen_at,
  resolved_at, observed, threshold, details::varchar as details, acked_at, ack_note, ack_outcome, acked_by
from alerts where id = $id

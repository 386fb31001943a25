-- Applies the staged transitions of one run to the alerts and appends them to their history.
-- A reopened alert keeps its severity; its ack is cleared. Runs inside the run's transaction.
insert into alerts (id, rule, school_id, region_code, period, subject, severity, status, occurrence, opened_at, last_seen_at, observed, threshold, details)
select id, rule, school_id, region_code, period, subject, severity, 'open', 1, happened_at::timestamptz, happened_at::timestamptz, observed, threshold, details::json
from temp.staged_transitions where kind = 'open';

update alerts set last_seen_at = s.happened_at::timestamptz, observed = s.observed, threshold = s.threshold, details = s.details::json
from temp.staged_transitions s where s.kind = 'still_open' and alerts.id = s.id;

update alerts set status = 'open', occurrence = s.occurrence, opened_at = s.happened_at::timestamptz, last_seen_at = s.happened_at::timestamptz,
  resolved_at = null, acked_at = null, ack_note = null, observed = s.observed, threshold = s.threshold, details = s.details::json
from temp.staged_transitions s where s.kind = 'reopen' and alerts.id = s.id;

update alerts set status = 'resolved', resolved_at = s.happened_at::timestamptz
from temp.staged_transitions s where s.kind = 'resolve' and alerts.id = s.id;

insert into alert_transitions (alert_id, kind, occurrence, happened_at)
select s.id, s.kind, coalesce(s.occurrence, a.occurrence), s.happened_at::timestamptz
from temp.staged_transitions s join alerts a on a.id = s.id where s.kind in ('open', 'reopen', 'resolve');

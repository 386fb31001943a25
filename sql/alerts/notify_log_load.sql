-- What each contact was last told of the alerts the policy considers ($rules as in
-- notify_candidates.sql). Times ISO 8601 UTC.
select l.alert_id, l.contact_id, l.occurrence, l.status,
  strftime(timezone('UTC', l.notified_at), '%Y-%m-%dT%H:%M:%S.%gZ') as notified_at,
  strftime(timezone('UTC', l.told_at), '%Y-%m-%dT%H:%M:%S.%gZ') as told_at, l.escalated
from notify_log l join alerts a on a.id = l.alert_id
where $rules::varchar is null
  or list_contains(string_split($rules::varchar, ','), a.rule)
  or (a.rule in ('DQ-RULE-FAILED', 'DQ-ALERT-STORM') and list_contains(string_split($rules::varchar, ','), a.subject))

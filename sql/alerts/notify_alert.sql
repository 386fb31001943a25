-- One alert as the notification policy reads it (notify_candidates.sql), by id ($id), for
-- `edumon notify preview`; reopenings counted in the 24 hours before $now. Times ISO 8601 UTC.
select a.id, a.rule, a.school_id, a.region_code, a.period, a.subject, a.severity, a.status, a.occurrence,
  strftime(timezone('UTC', a.opened_at), '%Y-%m-%dT%H:%M:%S.%gZ') as opened_at,
  strftime(timezone('UTC', a.last_seen_at), '%Y-%m-%dT%H:%M:%S.%gZ') as last_seen_at,
  strftime(timezone('UTC', a.resolved_at), '%Y-%m-%dT%H:%M:%S.%gZ') as resolved_at,
  strftime(timezone('UTC', a.acked_at), '%Y-%m-%dT%H:%M:%S.%gZ') as acked_at,
  a.observed, a.threshold, a.details,
  (select count(*) from alert_transitions t
   where t.alert_id = a.id and t.kind = 'reopen' and t.happened_at > $now::timestamptz - interval 24 hour and t.happened_at <= $now::timestamptz)::integer as reopens_last_day
from alerts a
where a.id = $id

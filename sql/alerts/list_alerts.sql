-- The alerts `edumon alerts list` shows, open first, newest first. Times are shown to people:
-- Asia/Shanghai with its offset, computed here so the host's TZ plays no part.
-- Parameters: $state, $region, $rule (each null for any).
select a.id, a.rule, a.severity, a.status, a.school_id, a.region_code, a.period, a.subject, a.observed, a.threshold,
  strftime(timezone('Asia/Shanghai', a.opened_at), '%Y-%m-%dT%H:%M:%S+08:00') as opened_at,
  strftime(timezone('Asia/Shanghai', a.last_seen_at), '%Y-%m-%dT%H:%M:%S+08:00') as last_seen_at,
  strftime(timezone('Asia/Shanghai', a.resolved_at), '%Y-%m-%dT%H:%M:%S+08:00') as resolved_at,
  strftime(timezone('Asia/Shanghai', a.acked_at), '%Y-%m-%dT%H:%M:%S+08:00') as acked_at,
  a.ack_note
from alerts a
where ($state::varchar is null or a.status = $state::varchar)
  and ($region::varchar is null or a.region_code = $region::varchar)
  and ($rule::varchar is null or a.rule = $rule::varchar)
order by a.status, a.opened_at desc, a.id

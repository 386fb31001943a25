-- The alerts the notification policy (alerts/notify/policy.ts) considers: every open alert, and
-- every resolved one some contact was last told is open (its resolution is due), of the rules in
-- $rules (comma-separated; with the runner-raised alerts about them, whose subject is the rule)
-- or of every rule when $rules is null. With its ack and how often it reopened in the 24 hours
-- before $now. Times ISO 8601 UTC.
with candidates as (
  select a.* from alerts a
  where (a.status = 'open'
      or exists (select 1 from notify_log l where l.alert_id = a.id and l.status = 'open' and l.occurrence = a.occurrence))
    and ($rules::varchar is null
      or list_contains(string_split($rules::varchar, ','), a.rule)
      or (a.rule in ('DQ-RULE-FAILED', 'DQ-ALERT-STORM') and list_contains(string_split($rules::varchar, ','), a.subject)))
), reopens as (
  select t.alert_id, count(*) as n from alert_transitions t join candidates c on c.id = t.alert_id
  where t.kind = 'reopen' and t.happened_at > $now::timestamptz - interval 24 hour and t.happened_at <= $now::timestamptz
  group by all
)
select c.id, c.rule, c.school_id, c.region_code, c.period, c.subject, c.severity, c.status, c.occurrence,
  strftime(timezone('UTC', c.opened_at), '%Y-%m-%dT%H:%M:%S.%gZ') as opened_at,
  strftime(timezone('UTC', c.last_seen_at), '%Y-%m-%dT%H:%M:%S.%gZ') as last_seen_at,
  strftime(timezone('UTC', c.resolved_at), '%Y-%m-%dT%H:%M:%S.%gZ') as resolved_at,
  strftime(timezone('UTC', c.acked_at), '%Y-%m-%dT%H:%M:%S.%gZ') as acked_at,
  c.observed, c.threshold, c.details, coalesce(r.n, 0)::integer as reopens_last_day
from candidates c left join reopens r on r.alert_id = c.id
order by c.id

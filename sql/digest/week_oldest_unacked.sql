-- The oldest alerts of the digest's regions ($regions as in week_alert_counts.sql) open and not
-- acknowledged at the week's end ($end): when their occurrence opened, oldest first, at most 10.
with last as (
  select alert_id, arg_max(kind, happened_at) as kind, max(happened_at) filter (kind in ('open', 'reopen')) as opened
  from alert_transitions where happened_at < $end::timestamptz group by all
)
select a.id as alert_id, a.rule, a.region_code, a.school_id,
  strftime(timezone('UTC', l.opened), '%Y-%m-%dT%H:%M:%S.%gZ') as opened_at
from alerts a join last l on l.alert_id = a.id
where l.kind in ('open', 'reopen') and (a.acked_at is null or a.acked_at >= $end::timestamptz)
  and ($regions::varchar is null or list_contains(string_split($regions::varchar, ','), a.region_code))
order by l.opened, a.id limit 10

-- The feeds DQ-STALE-FEED held open at the week's end ($end, exclusive; ISO 8601): the feed, how
-- far behind it was when last seen, and in what unit. For the digest's data-quality section.
with last as (
  select alert_id, arg_max(kind, happened_at) as kind from alert_transitions where happened_at < $end::timestamptz group by all
)
select a.subject as feed, try_cast(a.observed as double) as behind, coalesce(a.details->>'unit', '') as unit
from alerts a join last l on l.alert_id = a.id
where a.rule = 'DQ-STALE-FEED' and l.kind in ('open', 'reopen')
order by feed

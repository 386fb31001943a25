-- The alerts of the digest's regions ($regions: comma-separated codes, or null for every region
-- and the data-health alerts) first detected during the week [$start, $end) by the clock: opened
-- or reopened then, by rule and region (`what` = 'opened'). The digest's own alert list is by event
-- time (alerts/digest/weekReport.ts); this is its separately labelled part.
with scoped as (
  select * from alerts where $regions::varchar is null or list_contains(string_split($regions::varchar, ','), region_code)
)
select 'opened' as what, a.rule, a.region_code, count(*)::integer as n
from alert_transitions t join scoped a on a.id = t.alert_id
where t.kind in ('open', 'reopen') and t.happened_at >= $start::timestamptz and t.happened_at < $end::timestamptz
group by all
order by rule, region_code

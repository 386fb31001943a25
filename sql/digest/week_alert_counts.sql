-- The alerts of the week [$start, $end) in the digest's regions ($regions: comma-separated codes,
-- or null for every region and the data-health alerts): how many opened (or reopened), resolved,
-- and were still open at its end, by rule and region. `what` says which.
with scoped as (
  select * from alerts where $regions::varchar is null or list_contains(string_split($regions::varchar, ','), region_code)
), week as (
  select t.*, a.rule, a.region_code from alert_transitions t join scoped a on a.id = t.alert_id
  where t.happened_at >= $start::timestamptz and t.happened_at < $end::timestamptz
), last as (
  select t.alert_id, arg_max(t.kind, t.happened_at) as kind from alert_transitions t join scoped a on a.id = t.alert_id
  where t.happened_at < $end::timestamptz group by all
)
select 'opened' as what, rule, region_code, count(*)::integer as n from week where kind in ('open', 'reopen') group by all
union all
select 'resolved', rule, region_code, count(*)::integer from week where kind = 'resolve' group by all
union all
select 'still_open', a.rule, a.region_code, count(*)::integer from last l join scoped a on a.id = l.alert_id where l.kind in ('open', 'reopen') group by all
order by what, rule, region_code

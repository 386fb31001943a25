-- Schools events named that the registry does not know, as DQ-UNKNOWN-SCHOOL held them open at
-- the week's end ($end).
with last as (
  select alert_id, arg_max(kind, happened_at) as kind from alert_transitions where happened_at < $end::timestamptz group by all
)
select count(*)::integer as n from alerts a join last l on l.alert_id = a.id
where a.rule = 'DQ-UNKNOWN-SCHOOL' and l.kind in ('open', 'reopen')

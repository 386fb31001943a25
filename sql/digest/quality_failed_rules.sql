-- The rules that failed during the week [$start, $end) (DQ-RULE-FAILED opened or reopened then):
-- the rule and its last error.
select a.subject as rule, any_value(coalesce(a.details->>'error', '')) as error
from alert_transitions t join alerts a on a.id = t.alert_id
where a.rule = 'DQ-RULE-FAILED' and t.kind in ('open', 'reopen') and t.happened_at >= $start::timestamptz and t.happened_at < $end::timestamptz
group by all order by rule

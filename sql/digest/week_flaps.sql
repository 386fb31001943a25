-- Alerts of the digest's regions ($regions as in week_alert_counts.sql) that reopened more than
-- once during the week [$start, $end).
select a.id as alert_id, a.rule, a.region_code, count(*)::integer as reopens
from alert_transitions t join alerts a on a.id = t.alert_id
where t.kind = 'reopen' and t.happened_at >= $start::timestamptz and t.happened_at < $end::timestamptz
  and ($regions::varchar is null or list_contains(string_split($regions::varchar, ','), a.region_code))
group by all having count(*) > 1 order by reopens desc, alert_id limit 20

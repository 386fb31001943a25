-- How officials judged each rule's alerts (issue 23), by rule and region (region_code null: a
-- data-health alert, DQ-*). Parameters: $since and $until (TIMESTAMPTZ; null: unbounded), $region
-- (a region code; null: every region and the data-health alerts).
--
-- raised: the occurrences opened (or reopened) in [$since, $until), from alert_transitions: the
-- alerts row keeps only an alert's current occurrence, the transitions keep every one.
-- acked: those with an acknowledgement made before $until, from alert_acks (every ack, kept across
-- reopenings), and for one acknowledged before alert_acks existed (migration 0011) the alerts row's
-- own acked_at, which belongs to its current occurrence.
-- median_ack_hours: the median over acked occurrences of their first ack minus their opening
-- (the moment of the sweep that opened it), in hours.
-- outcome: the latest ack's outcome (latest wins, as alerts.ack_outcome shows it; a later ack
-- without one leaves the occurrence unjudged); confirmed | fixed | data_wrong | false_alarm.
-- precision: (confirmed + fixed) / (confirmed + fixed + data_wrong + false_alarm), null when none
-- was judged.
with raised as (
  select t.alert_id, t.occurrence, t.happened_at as opened_at, a.rule, a.region_code
  from alert_transitions t join alerts a on a.id = t.alert_id
  where t.kind in ('open', 'reopen')
    and ($since::timestamptz is null or t.happened_at >= $since::timestamptz)
    and ($until::timestamptz is null or t.happened_at < $until::timestamptz)
    and ($region::varchar is null or a.region_code = $region::varchar)
),
acks as (
  select alert_id, occurrence, acked_at, outcome from alert_acks
  union all
  select a.id, a.occurrence, a.acked_at, a.ack_outcome from alerts a
  where a.acked_at is not null
    and not exists (select 1 from alert_acks k where k.alert_id = a.id and k.occurrence = a.occurrence)
),
ranked as (
  select *,
    min(acked_at) over (partition by alert_id, occurrence) as first_ack,
    row_number() over (partition by alert_id, occurrence order by acked_at desc, outcome nulls first) as latest
  from acks
  where $until::timestamptz is null or acked_at < $until::timestamptz
),
occurrences as (
  select r.rule, r.region_code, r.opened_at, k.first_ack, k.outcome
  from raised r left join ranked k on k.alert_id = r.alert_id and k.occurrence = r.occurrence and k.latest = 1
),
counted as (
  select rule, region_code,
    count(*)::integer as raised,
    count(first_ack)::integer as acked,
    median((epoch_ms(first_ack) - epoch_ms(opened_at)) / 3600000.0) as median_ack_hours,
    count(*) filter (outcome = 'confirmed')::integer as confirmed,
    count(*) filter (outcome = 'fixed')::integer as fixed,
    count(*) filter (outcome = 'data_wrong')::integer as data_wrong,
    count(*) filter (outcome = 'false_alarm')::integer as false_alarm
  from occurrences
  group by all
)
select *,
  acked / raised as acked_share,
  (confirmed + fixed + data_wrong + false_alarm) as judged,
  case when confirmed + fixed + data_wrong + false_alarm > 0
    then (confirmed + fixed) / (confirmed + fixed + data_wrong + false_alarm) end as precision
from counted
order by rule, region_code nulls first

-- rule: DQ-STALE-FEED
-- title: 数据源中断 / The admission feed went quiet in the season
-- severity: critical
-- cadence: season
-- params: as_of, stale_feed_minutes, season_start, season_end, admission_topic
-- policy: none: data health. A quiet admission feed in the season leaves the admission rules (县中 5, 6) blind.
-- Two consecutive admission-topic events (plans, admissions, cancellations, by occurred_at then
-- event_id) inside the same year's admission season (MM-DD bounds, Shanghai dates) that are the
-- given minutes or more apart. Period: the Shanghai date the feed became stale; subject: the topic.
with feed as (
  select occurred_at, event_id from admission_plans where occurred_at <= $as_of::timestamptz
  union all select occurred_at, event_id from admissions where occurred_at <= $as_of::timestamptz
  union all select occurred_at, event_id from admission_cancellations where occurred_at <= $as_of::timestamptz
), gaps as (
  select shanghai_time(lag(occurred_at) over (order by occurred_at, event_id)) as previous, shanghai_time(occurred_at) as next
  from feed
)
select 'DQ-STALE-FEED' as rule, null::varchar as school_id, null::varchar as region_code,
  strftime(previous + to_minutes($stale_feed_minutes::integer), '%Y-%m-%d') as period, $admission_topic::varchar as subject,
  date_diff('minute', previous, next)::double as observed, $stale_feed_minutes::double as threshold,
  json_object('quiet_from', previous, 'quiet_until', next) as details
from gaps
where next - previous >= to_minutes($stale_feed_minutes::integer)
  and strftime(previous, '%m-%d') between $season_start::varchar and $season_end::varchar
  and strftime(next, '%m-%d') between $season_start::varchar and $season_end::varchar
  and year(previous) = year(next);

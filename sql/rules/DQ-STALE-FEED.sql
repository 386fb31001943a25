-- rule: DQ-STALE-FEED
-- title: 数据源中断 / A feed stopped advancing while the calendar says it should
-- severity: critical
-- cadence: season
-- feeds: registry, admission, enrollment, payroll, funds (uncapped)
-- params: as_of, stale_feed_minutes, season_start, season_end, payroll_max_quiet_days, funds_max_quiet_days, registry_max_quiet_days, enrollment_max_quiet_days
-- policy: none: 数据源中断时，读取它的规则无从判断（招生平台：县中 5、6；工资社保发放：学前 6）。 / A stopped feed leaves the rules that read it blind (the admission feed: 县中 5, 6; payroll: 学前 6).
-- measure: 距最近一条事件 / time since its latest event
-- unit: 天 / days; admission = 分钟 / minutes
-- comparison: 超过允许的间隔 / beyond the allowed quiet of
-- subject: 数据源 {} / feed {}; @feeds
-- One alert per feed whose latest event stored (by occurred_at, up to as_of) is longer ago than the
-- feed's longest normal quiet: admission stale_feed_minutes, only while its last event and as_of
-- fall in the same year's admission season (MM-DD bounds, Shanghai dates); payroll, funds,
-- registry and enrollment their max_quiet_days (0: never stale). Subject: the feed; observed: how
-- far behind it is, in minutes for admission and days for the others (details.unit); threshold:
-- the allowed quiet in the same unit; period: the Shanghai year of as_of, so a feed has one alert a
-- year whatever its last event: a feed catching up (still stale, its last event moving) stays the
-- same open alert, resolved when the feed is within its quiet again, and a later quiet spell the same
-- year reopens it (details.stale_from says when this spell began). Judged as of the requested
-- moment, never capped by the feeds' watermarks: it is the rule that reports them.
with stored as (
  select 'admission' as feed, max(occurred_at) as last_at from admission_plans where occurred_at <= $as_of::timestamptz
  union all select 'admission', max(occurred_at) from admissions where occurred_at <= $as_of::timestamptz
  union all select 'admission', max(occurred_at) from admission_cancellations where occurred_at <= $as_of::timestamptz
  union all select 'payroll', max(occurred_at) from wage_payments where occurred_at <= $as_of::timestamptz
  union all select 'payroll', max(occurred_at) from insurance_payments where occurred_at <= $as_of::timestamptz
  union all select 'funds', max(occurred_at) from fund_disbursements where occurred_at <= $as_of::timestamptz
  union all select 'registry', max(occurred_at) from school_versions where occurred_at <= $as_of::timestamptz
  union all select 'registry', max(occurred_at) from staff_versions where occurred_at <= $as_of::timestamptz
  union all select 'registry', max(occurred_at) from township_versions where occurred_at <= $as_of::timestamptz
  union all select 'registry', max(occurred_at) from population_reports where occurred_at <= $as_of::timestamptz
  union all select 'enrollment', max(occurred_at) from enrollments where occurred_at <= $as_of::timestamptz
  union all select 'enrollment', max(occurred_at) from enrollment_departures where occurred_at <= $as_of::timestamptz
), latest as (
  select feed, shanghai_time(max(last_at)) as previous, shanghai_time($as_of::timestamptz) as now_local
  from stored where last_at is not null group by feed
), bounds as (
  select * from (values
    ('admission', $stale_feed_minutes::double, 'minutes'),
    ('payroll', $payroll_max_quiet_days::double, 'days'),
    ('funds', $funds_max_quiet_days::double, 'days'),
    ('registry', $registry_max_quiet_days::double, 'days'),
    ('enrollment', $enrollment_max_quiet_days::double, 'days')
  ) b(feed, quiet, unit)
  where quiet > 0
), quiet as (
  select feed, unit, quiet, previous, now_local,
    previous + to_microseconds((quiet * (case unit when 'minutes' then 60e6 else 86400e6 end))::bigint) as stale_from,
    date_diff('minute', previous, now_local)::double / (case unit when 'minutes' then 1 else 1440 end) as behind
  from latest join bounds using (feed)
)
select 'DQ-STALE-FEED' as rule, null::varchar as school_id, null::varchar as region_code,
  strftime(now_local, '%Y') as period, feed as subject,
  round(behind, 1) as observed, quiet as threshold,
  json_object('unit', unit, 'last_event_at', strftime(previous, '%Y-%m-%dT%H:%M:%S+08:00'), 'stale_from', strftime(stale_from, '%Y-%m-%dT%H:%M:%S+08:00')) as details
from quiet
where now_local >= stale_from
  and (feed <> 'admission' or (
    strftime(previous, '%m-%d') between $season_start::varchar and $season_end::varchar
    and strftime(now_local, '%m-%d') between $season_start::varchar and $season_end::varchar
    and year(previous) = year(now_local)));

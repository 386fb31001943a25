-- rule: KG-NEW-PUBLIC-PLACES
-- title: 新增公办学位进度滞后 / New public kindergarten places behind the 2022-2025 target
-- severity: warning
-- cadence: daily
-- feeds: registry
-- params: as_of, new_public_places_target, new_public_places_from, new_public_places_by
-- policy: 学前 2：「大力发展公办幼儿园。2022年至2025年间，新增公办学位1万个。」
-- measure: 新增公办学位 / new public places
-- unit: 个 / places
-- comparison: 未达按期进度 / short of the pro-rata target of
-- subject: none
-- Capacity of active public kindergartens built since the start year, behind the straight line
-- from the start date to the target (学前 2: 10,000 places by 2025-12-31), city level.
with span as (
  select $new_public_places_from::date as from_date,
    ($new_public_places_by::date - $new_public_places_from::date) as total_days,
    least($new_public_places_by::date - $new_public_places_from::date,
      shanghai_time($as_of::timestamptz)::date - $new_public_places_from::date) as elapsed_days
), added as (
  select coalesce(sum(capacity), 0) as places from asof_schools($as_of::timestamptz), span
  where level = 'kindergarten' and ownership = 'public' and status = 'active' and built_year >= year(span.from_date)
)
select 'KG-NEW-PUBLIC-PLACES' as rule, null::varchar as school_id, '410800' as region_code,
  year(shanghai_time($as_of::timestamptz))::varchar as period, null::varchar as subject,
  added.places::double as observed, round($new_public_places_target::integer * elapsed_days / total_days)::double as threshold,
  json_object('added_places', added.places, 'target', $new_public_places_target::integer, 'elapsed_days', elapsed_days, 'total_days', total_days) as details
from added, span
where added.places * total_days < $new_public_places_target::integer * elapsed_days;

-- rule: KG-TOWNSHIP-CENTRAL
-- title: 乡镇公办中心园不足 / Township without enough public central kindergartens
-- severity: warning
-- cadence: daily
-- feeds: registry
-- params: as_of, township_large_population
-- policy: 学前 1：「落实每个乡镇至少办好1所公办中心园和3万人口以上乡镇至少办好2所公办中心园的要求」
-- measure: 公办中心园 / public central kindergartens
-- unit: 所 / kindergartens
-- comparison: 少于应有 / fewer than the required
-- subject: 乡镇（代码 {}） / township (code {})
-- Every township needs at least one active public central kindergarten, and two from the given
-- population up (学前 1: 30,000). Subject: the township code. details.event_id: the township version
-- in force, the record stating the population.
with central as (
  select township_code, count(*) as centrals from asof_schools($as_of::timestamptz)
  where level = 'kindergarten' and ownership = 'public' and township_central and status = 'active'
  group by all
), needs as (
  select w.township_code, w.region_code, w.event_id, w.population, coalesce(c.centrals, 0) as centrals,
    case when w.population >= $township_large_population::integer then 2 else 1 end as required
  from asof_townships($as_of::timestamptz) w left join central c using (township_code)
)
select 'KG-TOWNSHIP-CENTRAL' as rule, null::varchar as school_id, region_code, year(shanghai_time($as_of::timestamptz))::varchar as period,
  township_code as subject, centrals::double as observed, required::double as threshold,
  json_object('population', population, 'central_kindergartens', centrals, 'required', required, 'event_id', event_id) as details
from needs
where centrals < required;

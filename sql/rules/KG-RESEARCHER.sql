-- rule: KG-RESEARCHER
-- title: 缺少学前教育专职教研员 / Region without a full-time preschool researcher
-- severity: warning
-- cadence: daily
-- feeds: registry
-- params: as_of
-- policy: 学前 9：「各县（市、区）至少配备一名学前教育专职教研员」
-- measure: 学前教育专职教研员 / full-time preschool researchers
-- unit: 名 / people
-- comparison: 少于 / fewer than
-- subject: none
-- A region with no staff whose current version is an active preschool_researcher of that region.
with researchers as (
  select region_code, count(*) as researchers from asof_staff($as_of::timestamptz)
  where active and role = 'preschool_researcher' group by all
)
select 'KG-RESEARCHER' as rule, null::varchar as school_id, r.region_code, year(shanghai_time($as_of::timestamptz))::varchar as period,
  null::varchar as subject, 0::double as observed, 1::double as threshold, json_object('researchers', 0) as details
from jiaozuo_regions() r
where not exists (select 1 from researchers x where x.region_code = r.region_code);

-- rule: ADM-DUPLICATE
-- title: 重复录取 / 掐尖 / One student admitted at two schools
-- severity: critical
-- cadence: season
-- feeds: registry, admission
-- params: as_of
-- policy: 县中 6：「严禁以任何形式提前组织招生、超计划招生、违规跨区域招生、“掐尖”招生。」
-- A student holding net admissions at two or more schools for the same year: one row per school.
with net as (
  select * from asof_net_admissions($as_of::timestamptz)
), held as (
  select *, count(distinct school_id) over (partition by student_pseudonym, year) as schools_held from net
), schools as (
  select * from asof_schools($as_of::timestamptz)
)
select 'ADM-DUPLICATE' as rule, h.school_id, x.region_code, h.year::varchar as period, h.student_pseudonym as subject,
  h.schools_held::double as observed, 1::double as threshold,
  json_object('schools_held', h.schools_held, 'admitted_at', h.admitted_at) as details
from held h join schools x using (school_id)
where h.schools_held > 1;

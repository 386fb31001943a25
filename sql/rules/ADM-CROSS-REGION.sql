-- rule: ADM-CROSS-REGION
-- title: 违规跨区域招生 / Admission from outside the school's zone
-- severity: critical
-- cadence: season
-- feeds: registry, admission
-- params: as_of, exempt_admission_types
-- policy: 县中 5：「公办、民办普通高中实行属地招生，地处县域的普通高中应在本县域内招生，地处五城区的普通高中应在五城区范围内招生。」
-- measure: none
-- unit: none
-- comparison: none
-- subject: 学生（化名 {short}） / student (pseudonym {short})
-- A net admission whose home zone differs from the school's zone (the five urban districts form
-- one zone; every county is its own), unless its admission type is exempt (comma-separated list).
-- details.event_id: the admission (asof_net_admissions: the admitted event of admitted_at).
with net as (
  select * from asof_net_admissions($as_of::timestamptz)
), schools as (
  select * from asof_schools($as_of::timestamptz)
)
select 'ADM-CROSS-REGION' as rule, n.school_id, x.region_code, n.year::varchar as period, n.student_pseudonym as subject,
  null::double as observed, null::double as threshold,
  json_object('home_region_code', n.home_region_code, 'admission_type', n.admission_type, 'admitted_at', n.admitted_at,
    'event_id', n.event_id) as details
from net n join schools x using (school_id)
where edumon_zone(x.region_code) <> edumon_zone(n.home_region_code)
  and not list_contains(string_split($exempt_admission_types, ','), n.admission_type);

-- rule: ADM-DUPLICATE
-- title: 重复录取 / 掐尖 / One student admitted at two schools
-- severity: critical
-- cadence: season
-- feeds: registry, admission
-- params: as_of
-- policy: 县中 6：「严禁以任何形式提前组织招生、超计划招生、违规跨区域招生、“掐尖”招生。」
-- measure: 同时录取该生的学校 / schools holding the admission
-- unit: 所 / schools
-- comparison: 超过 / more than
-- subject: 学生（化名 {short}） / student (pseudonym {short})
-- A student holding net admissions at two or more schools for the same year: one row per school.
-- details.event_id: the later admission, the one that made the student held twice: a school's own
-- admission, except at the school that admitted first, whose row names the next admission (by
-- admitted_at, then event_id). With two schools both rows name the same, later, admission.
with net as (
  select * from asof_net_admissions($as_of::timestamptz)
), held as (
  select *, count(distinct school_id) over (partition by student_pseudonym, year) as schools_held from net
), duplicates as (
  -- Ordered only once the few duplicates are found: sorting every net admission would cost each sweep.
  select *, case when row_number() over w = 1 then lead(event_id) over w else event_id end as later_event_id
  from held where schools_held > 1
  window w as (partition by student_pseudonym, year order by admitted_at, event_id)
), schools as (
  select * from asof_schools($as_of::timestamptz)
)
select 'ADM-DUPLICATE' as rule, h.school_id, x.region_code, h.year::varchar as period, h.student_pseudonym as subject,
  h.schools_held::double as observed, 1::double as threshold,
  json_object('schools_held', h.schools_held, 'admitted_at', h.admitted_at, 'event_id', h.later_event_id) as details
from duplicates h join schools x using (school_id);

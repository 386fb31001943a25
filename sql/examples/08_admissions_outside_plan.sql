-- 问题：哪些学校超计划招生、在招生时间窗口之外录取或无计划招生（县中 6）？
-- Question: Which schools admitted beyond their plan quota, outside their plan's admission window,
--   or without a plan (county high school plan, measure 6)?
-- 读取 / Reads: asof_net_admissions (sql/views/asof_2_students.sql), current_admission_plans, current_schools, region_names
-- 每行 / One row: a school and an admission year with any of these: its plan quota (null: no plan
--   published), net admissions, how many beyond the quota, and admissions before the window
--   opened and after it closed.
-- 注意 / Caveat: net admissions (admitted more often than cancelled) and the latest plan, as stored
--   now; an admission exactly at the window's opening or closing is inside. The same tests as
--   ADM-OVER-QUOTA, ADM-OUT-OF-WINDOW (a) and ADM-NO-PLAN.
with net as (
  select n.school_id, n.year, count(*) as net_admissions,
    count(*) filter (n.admitted_at < p.window_opens_at) as before_window,
    count(*) filter (n.admitted_at > p.window_closes_at) as after_window,
    any_value(p.plan_quota) as plan_quota
  from asof_net_admissions('infinity'::timestamptz) n left join current_admission_plans p using (school_id, year)
  group by all
)
select x.region_code, r.name_zh as region_name, n.school_id, x.name as school_name, n.year, n.plan_quota, n.net_admissions,
  greatest(n.net_admissions - n.plan_quota, 0) as beyond_quota, n.before_window, n.after_window
from net n left join current_schools x using (school_id) left join region_names r using (region_code)
where n.plan_quota is null or n.net_admissions > n.plan_quota or n.before_window > 0 or n.after_window > 0
order by x.region_code, n.school_id, n.year;

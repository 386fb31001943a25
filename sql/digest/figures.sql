-- The weekly digest's figures as of one moment (alerts/digest/figures.ts runs it once per week-end):
-- one row per Jiaozuo region (jiaozuo_regions()) and one for the city, 410800 (sums over the
-- regions, as asof_region_indicators sums), each figure a column and, where it has a target, a
-- `<figure>_met` column judged as its rule judges (same comparison, same decimals; the rates'
-- rate_percent and rate_below are the rules' own, sql/views/asof_4_indicators.sql).
-- params: as_of, kg_ger_min_percent, kg_puhui_min_percent, kg_public_share_min_percent,
--   hs_ger_min_percent, kg_children_per_teacher, new_public_places_target, new_public_places_from,
--   new_public_places_by, hs_funds_per_student, max_class_size, max_school_size,
--   school_size_opened_from, wage_due_day, wage_tolerance
-- Sources: asof_region_indicators (KG-GER, KG-PUHUI, KG-PUBLIC-SHARE, HS-GER), asof_schools,
-- asof_school_students, asof_school_teachers (KG-TEACHER-RATIO, HS-FUNDS, ADM-SCHOOL-SIZE; HS-FUNDS'
-- asof_hs_funds taken at the end of the last quarter ended, see hs_cutoff),
-- asof_active_enrollments (ADM-CLASS-SIZE), asof_pay_gaps (WAGE-MISSING, WAGE-SHORT, INSURANCE-MISSING,
-- kindergarten staff only: see gaps).
-- indicators, schools and students are materialized once (each is read by several figures).
-- Rates are unrounded doubles (the renderer rounds); a figure that cannot be computed is null;
-- counts of what should not exist are 0 where none is found.
with regions as (
  select region_code from jiaozuo_regions()
  union all
  select '410800'
), indicators as materialized (
  select * from asof_region_indicators($as_of::timestamptz)
), schools as materialized (
  -- Active schools of Jiaozuo's regions, whose sums make the city's figures.
  select x.* from asof_schools($as_of::timestamptz) x semi join jiaozuo_regions() r using (region_code)
  where x.status = 'active'
), students as materialized (
  select * from asof_school_students($as_of::timestamptz)
), local as (
  select shanghai_time($as_of::timestamptz) as t
), kg_staffing as (
  -- KG-TEACHER-RATIO's counts, summed: children and full-time teachers of active public kindergartens with children.
  select coalesce(x.region_code, '410800') as region_code, sum(s.students) as children, sum(coalesce(t.teachers, 0)) as teachers
  from schools x join students s using (school_id) left join asof_school_teachers($as_of::timestamptz) t using (school_id)
  where x.level = 'kindergarten' and x.ownership = 'public'
  group by grouping sets ((x.region_code), ())
), span as (
  -- KG-NEW-PUBLIC-PLACES' straight line.
  select $new_public_places_from::date as from_date,
    ($new_public_places_by::date - $new_public_places_from::date) as total_days,
    least($new_public_places_by::date - $new_public_places_from::date, local.t::date - $new_public_places_from::date) as elapsed_days
  from local
), new_places as (
  select '410800' as region_code, coalesce(sum(x.capacity), 0) as places, any_value(span.total_days) as total_days,
    any_value(span.elapsed_days) as elapsed_days
  from span left join schools x
    on x.level = 'kindergarten' and x.ownership = 'public' and x.built_year >= year(span.from_date)
), hs_cutoff as (
  -- 县中 18's floor is per student per year, paid in instalments: judged at the end of the last
  -- quarter ended by as_of (as_of itself on a quarter's last day), money and students alike, so an
  -- instalment paid in a quarter's last weeks is never counted against fewer quarters than it pays
  -- for (a school paid 4 x 200 of 1000 is short all year, not met from 15 December). From 1 January
  -- to 31 March that end is 31 December: the year just closed, judged against its whole floor.
  select case when last_day(date_trunc('quarter', local.t) + interval 2 month) = local.t::date then $as_of::timestamptz
    else timezone('Asia/Shanghai', date_trunc('quarter', local.t)) - interval 1 microsecond end as t
  from local
), hs_funds as (
  -- Per school as HS-FUNDS owes it (asof_hs_funds); a school's surplus does not cover another's shortfall.
  select coalesce(h.region_code, '410800') as region_code, sum(least(h.funds_yuan, h.due_yuan)) as covered_yuan, sum(h.due_yuan) as due_yuan
  from asof_hs_funds((select t from hs_cutoff), $hs_funds_per_student::decimal(18, 2)) h semi join jiaozuo_regions() r using (region_code)
  group by grouping sets ((h.region_code), ())
), hs_funds_period as (
  -- The fiscal year judged and its quarters ended (4: the whole year).
  select year(shanghai_time(t)) as fiscal_year,
    (select count(*) from (values (3), (6), (9), (12)) q(m) where last_day(make_date(year(shanghai_time(t)), q.m, 1)) <= shanghai_time(t)::date) as quarters
  from hs_cutoff
), classes as (
  -- ADM-CLASS-SIZE's grade-1 classes of active high schools.
  select x.region_code, e.school_id, e.year, e.class_id, count(*) as students
  from asof_active_enrollments($as_of::timestamptz) e join schools x using (school_id)
  where e.grade = 1 and x.level = 'high_school'
  group by all
), oversize_classes as (
  select coalesce(region_code, '410800') as region_code, count(*) as n
  from classes where students > $max_class_size::integer
  group by grouping sets ((region_code), ())
), oversize_schools as (
  -- ADM-SCHOOL-SIZE's schools.
  select coalesce(x.region_code, '410800') as region_code, count(*) as n
  from schools x join students s using (school_id)
  where x.level = 'high_school' and x.opened_year >= $school_size_opened_from::integer and s.students > $max_school_size::integer
  group by grouping sets ((x.region_code), ())
), gaps as (
  -- One pass over the owed months with a gap: WAGE-MISSING (no payment) and WAGE-SHORT (short by
  -- more than the tolerance) make a wage gap, INSURANCE-MISSING an insurance gap. Kindergarten
  -- staff only (public and private): the clause these figures quote, 学前 6, is about kindergarten
  -- staff; the plans set no such target for high-school or vocational staff, whose gaps the rules
  -- still alert on.
  select g.region_code, g.staff_pseudonym, g.monthly_wage_yuan,
    g.payments = 0 or g.paid_yuan < g.monthly_wage_yuan - $wage_tolerance::decimal(18, 2) as wage_gap,
    g.monthly_wage_yuan - coalesce(g.paid_yuan, 0) as unpaid_yuan,
    not g.insured as insurance_gap
  from asof_pay_gaps($as_of::timestamptz, $wage_due_day::integer) g semi join jiaozuo_regions() r using (region_code)
    semi join (select school_id from asof_schools($as_of::timestamptz) where level = 'kindergarten') k using (school_id)
), pay as (
  select coalesce(region_code, '410800') as region_code,
    count(distinct staff_pseudonym) filter (wage_gap) as wage_staff,
    count(*) filter (wage_gap) as wage_months,
    coalesce(sum(unpaid_yuan) filter (wage_gap), 0) as wage_yuan,
    count(distinct staff_pseudonym) filter (insurance_gap) as insurance_staff,
    count(*) filter (insurance_gap) as insurance_months,
    coalesce(sum(monthly_wage_yuan) filter (insurance_gap), 0) as insurance_yuan
  from gaps
  group by grouping sets ((region_code), ())
)
select r.region_code,
  rate_percent(i.kg_children, i.age_3_5) as kg_ger,
  not rate_below(i.kg_children, i.age_3_5, $kg_ger_min_percent) as kg_ger_met,
  rate_percent(i.kg_puhui, i.kg_children) as kg_puhui,
  not rate_below(i.kg_puhui, i.kg_children, $kg_puhui_min_percent) as kg_puhui_met,
  rate_percent(i.kg_public, i.kg_children) as kg_public_share,
  not rate_below(i.kg_public, i.kg_children, $kg_public_share_min_percent) as kg_public_share_met,
  (k.children / nullif(k.teachers, 0))::double as kg_teacher_ratio,
  k.teachers * $kg_children_per_teacher::decimal(18, 4) >= k.children as kg_teacher_ratio_met,
  n.places::double as new_public_places,
  n.places * n.total_days >= $new_public_places_target::integer * n.elapsed_days as new_public_places_met,
  round($new_public_places_target::integer * n.elapsed_days / n.total_days)::double as new_public_places_expected,
  rate_percent(i.hs_students, i.age_15_17) as hs_ger,
  not rate_below(i.hs_students, i.age_15_17, $hs_ger_min_percent) as hs_ger_met,
  (h.covered_yuan * 100.0 / nullif(h.due_yuan, 0))::double as hs_funds,
  h.covered_yuan >= h.due_yuan as hs_funds_met,
  hp.fiscal_year as hs_funds_fiscal_year,
  hp.quarters as hs_funds_quarters,
  coalesce(oc.n, 0)::double as oversize_classes,
  coalesce(os.n, 0)::double as oversize_schools,
  coalesce(p.wage_staff, 0)::double as wage_gap_staff,
  coalesce(p.wage_months, 0)::double as wage_gap_months,
  coalesce(p.wage_yuan, 0)::double as wage_gap_yuan,
  coalesce(p.insurance_staff, 0)::double as insurance_gap_staff,
  coalesce(p.insurance_months, 0)::double as insurance_gap_months,
  coalesce(p.insurance_yuan, 0)::double as insurance_gap_yuan
from regions r
  left join indicators i using (region_code)
  left join kg_staffing k using (region_code)
  left join new_places n using (region_code)
  left join hs_funds h using (region_code)
  left join oversize_classes oc using (region_code)
  left join oversize_schools os using (region_code)
  left join pay p using (region_code)
  cross join hs_funds_period hp
order by r.region_code;

-- 生均公用经费 as of t (县中 18: at least `per_student` yuan per student a year, 1000 by
-- default): per active high school with students, the per_student_public_funds disbursed for t's
-- fiscal year (Asia/Shanghai) against the floor due so far, pro rata to the quarters ended by t's
-- date (at year end the whole floor). One definition for HS-FUNDS (which opens an alert where
-- disbursed < due), the digest's figure and the analysts' example 07.
create or replace macro asof_hs_funds(t, per_student) as table
  with local as (
    select shanghai_time(t) as lt
  ), quarters as (
    select count(*) as ended from (values (3), (6), (9), (12)) q(m), local
    where last_day(make_date(year(local.lt), q.m, 1)) <= local.lt::date
  ), funds as (
    select f.school_id, sum(f.amount_yuan) as funds_yuan from fund_disbursements f, local
    where f.occurred_at <= t and f.fund_type = 'per_student_public_funds' and f.fiscal_year = year(local.lt)
    group by all
  )
  select x.school_id, x.region_code, x.name, x.event_id, s.students, coalesce(f.funds_yuan, 0) as funds_yuan, quarters.ended as quarters_ended,
    per_student::decimal(18, 2) * s.students * quarters.ended / 4 as due_yuan
  from asof_schools(t) x join asof_school_students(t) s using (school_id)
    left join funds f using (school_id), quarters
  where x.level = 'high_school' and x.status = 'active';

comment on macro table asof_hs_funds is '截至时刻 t 的生均公用经费：每所在办普通高中（有在籍学生）当年已拨付的生均公用经费与按已过季度折算的应拨数（县中 18：每生每年不低于 per_student 元） / Per-student public funds (生均公用经费) as of t: per active high school with students, what was disbursed for the fiscal year against what is due, pro rata to the quarters ended (county high school plan 18: at least per_student yuan per student a year)';

-- Owed months as of t: (staff, month M) for every M whose due date (day `due_day` of M+1,
-- Asia/Shanghai) is before t's date, where the staff version in force at the end of M is active
-- and names a known school (the employer for M; its monthly_wage_yuan is the agreed wage).
create or replace macro asof_owed_months(t, due_day) as table
  with months as (
    select strftime(m, '%Y-%m') as period, timezone('Asia/Shanghai', m + interval 1 month) as month_end,
      (m + interval 1 month + to_days(due_day::integer - 1))::date as due_date
    from range(
      date_trunc('month', (select min(shanghai_time(occurred_at)) from staff_versions where occurred_at <= t)),
      shanghai_time(t), interval 1 month) r(m)
  ), in_force as (
    select m.period, m.due_date, s.*
    from months m join staff_versions s on s.occurred_at < m.month_end and s.occurred_at <= t
    where m.due_date < shanghai_time(t)::date
    qualify row_number() over (partition by s.staff_pseudonym, m.period order by s.occurred_at desc, s.event_id desc) = 1
  )
  select v.period, v.due_date, v.staff_pseudonym, v.school_id, v.monthly_wage_yuan, v.employment, x.region_code
  from in_force v join asof_schools(t) x using (school_id)
  where v.active and v.school_id is not null;

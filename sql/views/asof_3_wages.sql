-- Owed months as of t: (staff, month M) for every M whose due date (day `due_day` of M+1,
-- Asia/Shanghai) is before t's date, where the staff version in force at the end of M is active
-- and names a known school (the employer for M; its monthly_wage_yuan is the agreed wage).
-- The version in force at an instant is the last one before it: each version holds from its
-- occurred_at until the next version's (ties ordered by event_id), an interval join.
create or replace macro asof_owed_months(t, due_day) as table
  with months as (
    select strftime(m, '%Y-%m') as period, timezone('Asia/Shanghai', m + interval 1 month) as month_end,
      (m + interval 1 month + to_days(due_day::integer - 1))::date as due_date
    from range(
      date_trunc('month', (select min(shanghai_time(occurred_at)) from staff_versions where occurred_at <= t)),
      shanghai_time(t), interval 1 month) r(m)
    where (m + interval 1 month + to_days(due_day::integer - 1))::date < shanghai_time(t)::date
  ), versions as (
    select *, lead(occurred_at) over (partition by staff_pseudonym order by occurred_at, event_id) as next_at
    from staff_versions where occurred_at <= t
  ), in_force as (
    select m.period, m.due_date, v.*
    from months m join versions v on v.occurred_at < m.month_end and (v.next_at is null or v.next_at >= m.month_end)
  )
  select v.period, v.due_date, v.staff_pseudonym, v.school_id, v.monthly_wage_yuan, v.employment, x.region_code
  from in_force v join asof_schools(t) x using (school_id)
  where v.active and v.school_id is not null;

-- Owed months as of t with a gap: no wage payment, wage payments (all payers) summing to less
-- than the agreed wage, or no insurance payment. paid_yuan is null and payments 0 when nothing
-- was paid; insured says whether any insurance payment names the month. WAGE-MISSING,
-- WAGE-SHORT and INSURANCE-MISSING each filter it; one pass serves all three.
-- Two steps: the gaps are found on narrow rows (staff, month, wage), then joined back to the
-- owed months for their other columns. Carrying those columns through the joins of 7M owed
-- months (scale 28) needs more than the service's 256 MB; this way it fits.
-- @shared: a rule sweep computes it once (alerts/sharedState.ts)
create or replace macro asof_pay_gaps(t, due_day) as table
  with wages as (
    select staff_pseudonym, period, sum(amount_yuan) as paid_yuan, count(*) as payments
    from wage_payments where occurred_at <= t group by all
  ), insured as (
    select distinct staff_pseudonym, period from insurance_payments where occurred_at <= t
  ), gaps as (
    select o.staff_pseudonym, o.period, w.paid_yuan, coalesce(w.payments, 0) as payments, i.period is not null as insured
    from asof_owed_months(t, due_day) o
      left join wages w using (staff_pseudonym, period)
      left join insured i using (staff_pseudonym, period)
    where w.paid_yuan is null or w.paid_yuan < o.monthly_wage_yuan or i.period is null
  )
  select o.*, g.paid_yuan, g.payments, g.insured
  from gaps g join asof_owed_months(t, due_day) o using (staff_pseudonym, period);

comment on macro table asof_owed_months is '截至时刻 t 的应发工资月：每位在职教职工每个已过发放日（次月 due_day 日，上海时间）的月份，含约定月工资（元）与用工学校 / Owed months as of t: every month whose pay day (day due_day of the next month, Asia/Shanghai) is past, per active staff member, with the agreed monthly wage (yuan) and the employing school';
comment on macro table asof_pay_gaps is '截至时刻 t 有缺口的应发工资月：未发、少发（paid_yuan 元）或未缴社保（insured） / Owed months as of t with a gap: no wage paid, less than the agreed wage (paid_yuan, yuan) or no insurance (insured)';

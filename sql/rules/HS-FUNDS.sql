-- rule: HS-FUNDS
-- title: 生均公用经费不足 / Per-student public funds below the floor
-- severity: critical
-- cadence: daily
-- feeds: registry, enrollment, funds
-- params: as_of, hs_funds_per_student
-- policy: 县中 18：「各县（市）按照每生每年不低于1000元的标准，为本县域各普通高中学校足额拨付生均公用经费。」
-- Per active high school with students: per_student_public_funds disbursed for as_of's fiscal
-- year, against the yearly floor per active student pro rata to the quarters ended by as_of's date
-- (县中 18: 1000 yuan per student per year; at year end the whole floor). details.event_id: the
-- school version in force: what is wrong is money not disbursed, which has no record.
with local as (
  select shanghai_time($as_of::timestamptz) as t
), quarters as (
  select count(*) as ended from (values (3), (6), (9), (12)) q(m), local
  where last_day(make_date(year(local.t), q.m, 1)) <= local.t::date
), funds as (
  select f.school_id, sum(f.amount_yuan) as funds_yuan from fund_disbursements f, local
  where f.occurred_at <= $as_of::timestamptz and f.fund_type = 'per_student_public_funds' and f.fiscal_year = year(local.t)
  group by all
), owed as (
  select x.school_id, x.region_code, x.event_id, s.students, coalesce(f.funds_yuan, 0) as funds_yuan, quarters.ended,
    $hs_funds_per_student::decimal(18, 2) * s.students * quarters.ended / 4 as floor_yuan
  from asof_schools($as_of::timestamptz) x join asof_school_students($as_of::timestamptz) s using (school_id)
    left join funds f using (school_id), quarters
  where x.level = 'high_school' and x.status = 'active'
)
select 'HS-FUNDS' as rule, school_id, region_code, year(shanghai_time($as_of::timestamptz))::varchar as period,
  null::varchar as subject, funds_yuan::double as observed, floor_yuan::double as threshold,
  json_object('funds_yuan', funds_yuan, 'students', students, 'quarters_ended', ended, 'event_id', event_id) as details
from owed
where funds_yuan * 4 < $hs_funds_per_student::decimal(18, 2) * students * ended;

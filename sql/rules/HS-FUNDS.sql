-- rule: HS-FUNDS
-- title: 生均公用经费不足 / Per-student public funds below the floor
-- severity: critical
-- cadence: daily
-- feeds: registry, enrollment, funds
-- params: as_of, hs_funds_per_student
-- policy: 县中 18：「各县（市）按照每生每年不低于1000元的标准，为本县域各普通高中学校足额拨付生均公用经费。」
-- measure: 本财年已拨公用经费 / public funds disbursed this fiscal year
-- unit: 元 / yuan
-- comparison: 低于已过季度的应拨额 / below the amount due for the quarters ended,
-- subject: none
-- Per active high school with students: per_student_public_funds disbursed for as_of's fiscal
-- year, against the yearly floor per active student pro rata to the quarters ended by as_of's date
-- (县中 18: 1000 yuan per student per year; at year end the whole floor). details.event_id: the
-- school version in force: what is wrong is money not disbursed, which has no record.
-- The figures: asof_hs_funds (sql/views/asof_5_funds.sql), shared with the digest and example 07.
select 'HS-FUNDS' as rule, school_id, region_code, year(shanghai_time($as_of::timestamptz))::varchar as period,
  null::varchar as subject, funds_yuan::double as observed, due_yuan::double as threshold,
  json_object('funds_yuan', funds_yuan, 'students', students, 'quarters_ended', quarters_ended, 'event_id', event_id) as details
from asof_hs_funds($as_of::timestamptz, $hs_funds_per_student::decimal(18, 2))
where funds_yuan * 4 < $hs_funds_per_student::decimal(18, 2) * students * quarters_ended;

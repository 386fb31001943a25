-- rule: KG-UNLICENSED
-- title: 无证园 / Unlicensed kindergarten
-- severity: critical
-- cadence: daily
-- feeds: registry
-- params: as_of
-- policy: 学前 13：「持续开展无证幼儿园清理整治，及时消除非法办园。」
-- measure: none
-- unit: none
-- comparison: none
-- subject: none
-- An active kindergarten whose current registry record has licensed = false. details.event_id: that
-- record (the school version in force).
select 'KG-UNLICENSED' as rule, school_id, region_code, year(shanghai_time($as_of::timestamptz))::varchar as period,
  null::varchar as subject, null::double as observed, null::double as threshold,
  json_object('name', name, 'ownership', ownership, 'event_id', event_id) as details
from asof_schools($as_of::timestamptz)
where level = 'kindergarten' and status = 'active' and not licensed;

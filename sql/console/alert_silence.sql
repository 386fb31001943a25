-- The silence in effect on one alert at $now, if any (as the board's state reads silences): the
-- one that lasts longest. Parameters: $rule, $school_id, $region_code, $now.
select until, reason from silences
where rule = $rule and (school_id is null or school_id = $school_id::varchar)
  and (region_code is null or region_code = $region_code::varchar)
  and created_at <= $now::timestamptz and $now::timestamptz < until
order by until desc
limit 1

-- Stores a silence, in force from now until $until.
-- Parameters: $id, $rule, $school_id, $region_code, $until, $reason.
insert into silences (id, rule, school_id, region_code, until, reason, created_at)
values ($id, $rule, $school_id::varchar, $region_code::varchar, $until::timestamptz, $reason, now())

-- Stores a silence, in force from $created_at (now when null) until $until.
-- Parameters: $id, $rule, $school_id, $region_code, $until, $reason, $created_at.
insert into silences (id, rule, school_id, region_code, until, reason, created_at)
values ($id, $rule, $school_id::varchar, $region_code::varchar, $until::timestamptz, $reason, coalesce($created_at::timestamptz, now()))

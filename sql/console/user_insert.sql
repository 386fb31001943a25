-- Adds a console user. Parameters: $id, $name, $role, $regions (a JSON array of region codes), $hash, $at.
insert into console_users (id, name, role, regions, password_hash, disabled, failed_logins, locked_until, created_at, password_changed_at)
values ($id, $name, $role, cast(json($regions::varchar) as varchar[]), $hash, false, 0, null, $at::timestamptz, $at::timestamptz)

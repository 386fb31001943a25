-- One console user by login. Parameters: $id.
select id, name, role, regions, password_hash, disabled, failed_logins, locked_until, created_at, password_changed_at
from console_users where id = $id

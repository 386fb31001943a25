-- Every console user, without the password hash.
select id, name, role, regions, disabled, failed_logins, locked_until, created_at, password_changed_at
from console_users order by role, id

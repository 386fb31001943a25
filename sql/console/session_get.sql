-- A session by the hash of its cookie, with its user (none when the user is gone). Parameters: $id_hash.
select s.id_hash, s.user_id, s.csrf, s.created_at, s.last_seen_at, u.name, u.role, u.regions, u.disabled
from console_sessions s join console_users u on u.id = s.user_id
where s.id_hash = $id_hash

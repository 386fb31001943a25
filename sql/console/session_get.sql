-- A session by the hash of its cookie. Parameters: $id_hash.
select id_hash, user_id, csrf, created_at, last_seen_at from console_sessions where id_hash = $id_hash

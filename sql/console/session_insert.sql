-- Opens a session. Parameters: $id_hash, $user_id, $csrf, $at, $address.
insert into console_sessions (id_hash, user_id, csrf, created_at, last_seen_at, address)
values ($id_hash, $user_id, $csrf, $at::timestamptz, $at::timestamptz, $address)

-- Records that a session was used. Parameters: $id_hash, $at.
update console_sessions set last_seen_at = $at::timestamptz where id_hash = $id_hash

-- Sets a user's password and unlocks the account. Parameters: $id, $hash, $at. Returns the id, or no row.
update console_users set password_hash = $hash, password_changed_at = $at::timestamptz, failed_logins = 0, locked_until = null
where id = $id returning id

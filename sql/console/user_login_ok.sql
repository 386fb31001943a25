-- A right password: the count of wrong ones starts again. Parameters: $id.
update console_users set failed_logins = 0, locked_until = null where id = $id

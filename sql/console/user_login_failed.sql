-- Counts a wrong password; the lockAfterFailures-th in a row locks the account until $until.
-- Parameters: $id, $max, $until. Returns the count and the lock.
update console_users
set failed_logins = failed_logins + 1,
    locked_until = case when failed_logins + 1 >= $max::integer then $until::timestamptz else locked_until end
where id = $id returning failed_logins, locked_until

-- Ends sessions idle since $idle_before or opened before $opened_before.
delete from console_sessions where last_seen_at < $idle_before::timestamptz or created_at < $opened_before::timestamptz

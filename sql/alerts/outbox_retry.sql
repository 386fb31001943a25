-- `edumon notify retry`: queues failed or held emails again, due at $now, with the same
-- Message-ID; giving up counts from $now. Only those in $state (failed or held; null: both),
-- of contact $contact (null: any), with id $id (null: any). Returns the ids queued.
update outbox set state = 'pending', next_attempt_at = $now::timestamptz, queued_at = $now::timestamptz, hold_reason = null
where state in ('failed', 'held')
  and ($state::varchar is null or state = $state::varchar)
  and ($contact::varchar is null or contact_id = $contact::varchar)
  and ($id::varchar is null or id = $id::varchar)
returning id

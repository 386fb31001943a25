-- Delivery may be possible again (the service restarted, perhaps with its configuration fixed;
-- a server accepted an email for the recipient domain $domain): the failed alert emails that
-- still tell something true (an alert still at the occurrence and status the email tells) are
-- queued again, due at $now, each at most $max times this way (requeues), so a refusal that
-- lasts costs a few attempts, not one per restart or per accepted email for ever. $domain null:
-- every domain. Returns the ids queued.
update outbox o set state = 'pending', next_attempt_at = $now::timestamptz, queued_at = $now::timestamptz,
  requeues = coalesce(o.requeues, 0) + 1
where o.state = 'failed' and o.kind = 'alerts' and coalesce(o.requeues, 0) < $max::integer
  and ($domain::varchar is null or lower(split_part(o.address, '@', 2)) = lower($domain::varchar))
  and exists (
    select 1 from outbox_notices n join alerts a on a.id = n.alert_id
    where n.outbox_id = o.id and a.occurrence = n.occurrence and a.status = n.status)
returning o.id

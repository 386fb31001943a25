-- Adds one email to the outbox, pending, due at once; a row whose id is already there is left
-- as it is (a sweep redone after a crash writes the same ids again). Runs inside the caller's
-- transaction. Parameters: $id, $message_id, $contact_id, $address, $kind, $subject, $html,
-- $text, $attachments (JSON), $alert_ids (JSON), $created_at (ISO 8601).
insert into outbox (id, message_id, contact_id, address, kind, subject, html, "text", attachments, alert_ids,
  created_at, state, attempts, next_attempt_at, sent_at, last_code, last_reply)
values ($id, $message_id, $contact_id, $address, $kind, $subject, $html, $text, $attachments::json, $alert_ids::json,
  $created_at::timestamptz, 'pending', 0, $created_at::timestamptz, null, null, null)
on conflict (id) do nothing

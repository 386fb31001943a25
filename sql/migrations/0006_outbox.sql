-- Alert emails (issue 12). notify_log: what each contact was last told of each alert, so the
-- notification policy (alerts/notify/policy.ts) knows what is new, what to remind and what
-- resolved since; it is written in the same transaction as the outbox rows it leads to. The
-- outbox: one row per (email, recipient), written in the same transaction as the alert
-- transitions that cause it, with its deterministic Message-ID; the sender (service/mailSender.ts)
-- moves it from pending to sent, failed or unknown, and records every SMTP attempt.

create table notify_log (
  alert_id varchar not null,
  contact_id varchar not null,
  occurrence integer not null,      -- the alert's occurrence the contact was last told of
  status varchar not null,          -- open | resolved: what the contact was last told it is
  notified_at timestamptz not null, -- when the contact was last told (open, reopen, renotify, escalate, resolve)
  told_at timestamptz not null,     -- when the contact was first told of this occurrence (escalation counts from it)
  escalated boolean not null,       -- whether the contact was told as an escalation contact
  primary key (alert_id, contact_id)
);

create table outbox (
  id varchar primary key,           -- deterministic; the Message-ID is <id@notify.messageIdDomain>
  message_id varchar not null,
  contact_id varchar not null,
  address varchar not null,         -- the one envelope recipient
  kind varchar not null,            -- alerts | digest | test
  subject varchar not null,
  html varchar not null,
  "text" varchar not null,
  attachments json not null,        -- [{ filename, contentType, content }]
  alert_ids json not null,          -- the alerts the email lists
  created_at timestamptz not null,
  state varchar not null,           -- pending | sent | failed | unknown
  attempts integer not null,
  next_attempt_at timestamptz not null,
  sent_at timestamptz,
  last_code integer,
  last_reply varchar
);

create table outbox_attempts (
  outbox_id varchar not null,
  attempted_at timestamptz not null,
  outcome varchar not null,         -- sent | retry | failed | unknown
  code integer,                     -- the SMTP reply code, null for a transport error
  reply varchar                     -- the SMTP reply or the transport error
);

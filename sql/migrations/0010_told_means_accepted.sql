-- Told means accepted (issue 21). A contact counts as told of an alert only when a server
-- accepted the email that says so: the notices each alert email carries are kept beside it
-- (outbox_notices) and written to notify_log by the attempt the server accepts, in that
-- attempt's transaction, no longer when the email is composed. A failed email can be queued
-- again (`edumon notify retry`, a restart, a later email accepted for the same domain); an
-- email whose final dot got no reply too often is held (state `held`, with its reason).

create table outbox_notices (
  outbox_id varchar not null,       -- the email (outbox.id)
  alert_id varchar not null,
  contact_id varchar not null,
  occurrence integer not null,      -- the alert's occurrence the email tells of
  status varchar not null,          -- open | resolved: what the email tells the alert is
  kind varchar not null,            -- open | reopen | renotify | escalate | resolve
  escalated boolean not null        -- the contact receives it as an escalation contact
);

alter table outbox add column queued_at timestamptz;   -- when last queued: created, or queued again; giving up counts from it
alter table outbox add column requeues integer default 0; -- times queued again automatically (restart, server back)
alter table outbox add column hold_reason varchar;       -- why a held email waits for `edumon notify retry`

-- A warehouse written before this migration recorded a contact as told when the email was
-- composed: an alert email that then failed told nobody. Those records go, so the alerts still
-- open are composed again for their contacts.
delete from notify_log l
where exists (
  select 1 from outbox o
  where o.kind = 'alerts' and o.state = 'failed' and o.contact_id = l.contact_id and o.created_at = l.notified_at
    and list_contains(json_extract_string(o.alert_ids, '$[*]'), l.alert_id)
);

comment on table outbox_notices is '邮件所含告知：每封告警邮件告知每位联系人的每条告警；服务器接受该邮件时写入通知记录 / Outbox notices: what each alert email tells its contact of each alert; written to notify_log when a server accepts the email';
comment on column outbox_notices.outbox_id is '邮件编号（outbox.id） / The email (outbox.id)';
comment on column outbox_notices.alert_id is '告警编号（alerts.id） / The alert (alerts.id)';
comment on column outbox_notices.contact_id is '联系人编号（配置 notify.contacts） / The contact''s id (configuration notify.contacts)';
comment on column outbox_notices.occurrence is '邮件告知的告警第几次出现 / The alert''s occurrence the email tells of';
comment on column outbox_notices.status is '邮件告知的状态：`open` 未解决、`resolved` 已解决 / What the email tells the alert is: `open` or `resolved`';
comment on column outbox_notices.kind is '告知类别：`open` 新告警、`reopen` 重新出现、`renotify` 提醒、`escalate` 升级、`resolve` 已恢复 / Why: `open`, `reopen`, `renotify`, `escalate` or `resolve`';
comment on column outbox_notices.escalated is '是否作为升级联系人告知 / Whether the contact receives it as an escalation contact';
comment on column outbox.queued_at is '最近一次排队的时刻（写入或重新排队；TIMESTAMPTZ），放弃时限由此起算 / When it was last queued (written, or queued again; a TIMESTAMPTZ instant): giving up counts from it';
comment on column outbox.requeues is '自动重新排队的次数（重启、服务器恢复） / How many times it was queued again automatically (a restart, the server back)';
comment on column outbox.hold_reason is '暂停发送的原因（`held` 状态），等待 `edumon notify retry` / Why a held email waits for `edumon notify retry`';
comment on column outbox.state is '状态：`pending` 待发送、`sent` 已发送（服务器已接受）、`failed` 失败、`unknown` 结果未知、`held` 已暂停（服务器接收后不答复） / State: `pending`, `sent` (a server accepted it), `failed`, `unknown` or `held` (the server takes the message but does not answer)';
comment on table notify_log is '通知记录：每位联系人已被告知（服务器已接受邮件）的每条告警情况，供通知策略判断何为新、何需提醒、何已解决 / Notify log: what each contact was told of each alert (a server accepted the email), so the notification policy knows what is new, what to remind and what resolved since';

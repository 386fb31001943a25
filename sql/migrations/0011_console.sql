-- The officials' web console (issue 23). console_users, console_sessions and console_audit hold
-- password hashes, session ids and who did what: analysts' SQL may not read them
-- (service/query.ts CONSOLE_TABLES) and snapshots leave them out (pipeline/snapshot.ts).
-- alert_acks keeps every acknowledgement with the official's outcome, which the alerts row
-- keeps only until the alert reopens: what rules' judged precision is computed from.

create table console_users (
  id varchar primary key,             -- the login name
  name varchar not null,
  role varchar not null,              -- county | city | data | analyst | admin
  regions varchar[] not null,         -- the region codes a county official covers; empty for the others
  password_hash varchar not null,     -- scrypt$N$r$p$salt$hash (service/console/passwords.ts)
  disabled boolean not null,
  failed_logins integer not null,     -- wrong passwords in a row
  locked_until timestamptz,           -- refused logins until then
  created_at timestamptz not null,
  password_changed_at timestamptz not null
);

create table console_sessions (
  id_hash varchar primary key,        -- SHA-256 of the cookie's value: the cookie itself is never stored
  user_id varchar not null,
  csrf varchar not null,              -- the token every form of the session carries
  created_at timestamptz not null,
  last_seen_at timestamptz not null,
  address varchar
);

create table console_audit (
  happened_at timestamptz not null,
  user_id varchar,                    -- null: nobody logged in (a failed login names the account tried in target)
  action varchar not null,
  target varchar,
  outcome varchar not null,           -- ok | refused | failed
  address varchar,
  detail varchar
);

create table alert_acks (
  alert_id varchar not null,
  occurrence integer not null,
  acked_at timestamptz not null,
  acked_by varchar not null,          -- a console user's login, or `cli`
  outcome varchar,                    -- confirmed | fixed | data_wrong | false_alarm; null from `edumon alerts ack` without --outcome
  note varchar
);

alter table alerts add column ack_outcome varchar;
alter table alerts add column acked_by varchar;

comment on table console_users is '控制台用户：角色、负责的区域、口令散列（scrypt）；分析人员的 SQL 不可读取，快照不含 / Console users: role, regions covered, password hash (scrypt); unreadable from analysts'' SQL, left out of snapshots';
comment on column console_users.id is '登录名 / The login name';
comment on column console_users.name is '姓名或科室 / The person''s or office''s name';
comment on column console_users.role is '角色：`county` 县区教育局、`city` 市教育局、`data` 数据组、`analyst` 分析人员、`admin` 管理员 / Role: `county`, `city`, `data` (data team), `analyst` or `admin`';
comment on column console_users.regions is '县区教育局负责的区域代码；其他角色为空 / The region codes a county official covers; empty for the other roles';
comment on column console_users.password_hash is '口令散列：scrypt$N$r$p$盐$散列 / Password hash: scrypt$N$r$p$salt$hash';
comment on column console_users.disabled is '是否已停用 / Whether the account is disabled';
comment on column console_users.failed_logins is '连续输错口令的次数 / Wrong passwords in a row';
comment on column console_users.locked_until is '锁定至此时刻（TIMESTAMPTZ） / Logins refused until this instant (a TIMESTAMPTZ)';
comment on column console_users.created_at is '创建时刻 / When the account was made';
comment on column console_users.password_changed_at is '最近一次设置口令的时刻 / When the password was last set';
comment on table console_sessions is '控制台会话：只存 Cookie 值的 SHA-256，分析人员不可读取 / Console sessions: only the SHA-256 of each cookie value; unreadable from analysts'' SQL';
comment on column console_sessions.id_hash is 'Cookie 值的 SHA-256 / SHA-256 of the cookie''s value';
comment on column console_sessions.user_id is '用户登录名 / The user''s login';
comment on column console_sessions.csrf is '会话的 CSRF 令牌，每个表单都携带 / The session''s CSRF token, carried by every form';
comment on column console_sessions.created_at is '登录时刻 / When the user logged in';
comment on column console_sessions.last_seen_at is '最近一次使用的时刻（按分钟记） / When it was last used (to the minute)';
comment on column console_sessions.address is '登录的来源地址 / The address the login came from';
comment on table console_audit is '控制台审计：谁、何时、从何处、做了什么、结果；管理员可读，分析人员不可读 / Console audit trail: who did what, when, from where, and with what outcome; readable by admins, not by analysts';
comment on column console_audit.happened_at is '时刻 / When';
comment on column console_audit.user_id is '用户登录名（未登录为空） / The user''s login (null when nobody was logged in)';
comment on column console_audit.action is '操作：`login`、`ack`、`silence`、`release`、`view` 等 / The action: `login`, `ack`, `silence`, `release`, `view`...';
comment on column console_audit.target is '对象：告警编号、规则、账号等 / What it acted on: an alert id, a rule, an account...';
comment on column console_audit.outcome is '结果：`ok` 成功、`refused` 被拒绝、`failed` 失败 / Outcome: `ok`, `refused` or `failed`';
comment on column console_audit.address is '来源地址 / The address the request came from';
comment on column console_audit.detail is '说明（拒绝的原因等） / Detail (why it was refused...)';
comment on table alert_acks is '告警确认记录：每次确认及核实结论，告警重新出现后仍保留 / Alert acknowledgements: each one with the official''s outcome, kept after the alert reopens';
comment on column alert_acks.alert_id is '告警编号（alerts.id） / The alert (alerts.id)';
comment on column alert_acks.occurrence is '确认的是告警第几次出现 / The alert''s occurrence acknowledged';
comment on column alert_acks.acked_at is '确认时刻 / When it was acknowledged';
comment on column alert_acks.acked_by is '确认人：控制台登录名，或命令行 `cli` / Who: a console login, or `cli`';
comment on column alert_acks.outcome is '核实结论：`confirmed` 确认违规、`fixed` 已整改、`data_wrong` 数据有误、`false_alarm` 误报 / The outcome: `confirmed`, `fixed`, `data_wrong` or `false_alarm`';
comment on column alert_acks.note is '确认时的说明 / The note given';
comment on column alerts.ack_outcome is '当前确认的核实结论：`confirmed` 确认违规、`fixed` 已整改、`data_wrong` 数据有误、`false_alarm` 误报 / The current acknowledgement''s outcome: `confirmed`, `fixed`, `data_wrong` or `false_alarm`';
comment on column alerts.acked_by is '当前确认人：控制台登录名或 `cli` / Who acknowledged it: a console login or `cli`';

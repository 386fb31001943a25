-- A feed that has gone quiet is complete up to its own last event, and the payroll feed is
-- expected again only with its next monthly report (alerts/feedWatermarks.ts). For that the
-- feeds' progress says when each feed's events last arrived (updated_at, now written with the
-- service's clock) and, for payroll, the latest month its wages or insurance name (max_period).
alter table feed_progress add column max_period varchar;

-- A warehouse filled before this migration: the latest month of its stored payroll events, on
-- every payroll row (the partition each came from was not kept; the feed takes the greatest).
update feed_progress set max_period = (
  select max(period) from (select period from wage_payments union all select period from insurance_payments)
) where feed = 'payroll';

comment on column feed_progress.max_period is '工资社保数据流已报到的最近月份（YYYY-MM，工资或社保事件的 period 最大值；其他数据流为空） / Payroll: the latest month (YYYY-MM) its wage or insurance events name; null for the other feeds';
comment on column feed_progress.updated_at is '该数据流的事件最近一次到达（写入）的时刻（TIMESTAMPTZ）；静默满允许迟到时长后，该数据流即视为已完整到其最后事件 / When the feed''s events last arrived (were written; a TIMESTAMPTZ instant): quiet for its allowed lateness, the feed counts as complete up to its last event';

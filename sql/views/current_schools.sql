-- The latest version of every school (latest occurred_at wins, ties broken by event_id):
-- asof_schools (sql/views/asof_1_registry.sql) with no end: "latest version per key" is written once.
-- @column-comments: school_versions (its columns are described there, sql/migrations/0008_comments.sql)
create or replace view current_schools as
select * from asof_schools('infinity'::timestamptz);

comment on view current_schools is '当前学校：每所学校登记信息的最新一版（发生时间最晚者，相同则比较 event_id） / Current schools: the latest version of every school (latest occurred_at, ties broken by event_id)';

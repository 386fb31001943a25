-- The latest version of every township:
-- asof_townships (sql/views/asof_1_registry.sql) with no end: "latest version per key" is written once.
-- @column-comments: township_versions (its columns are described there, sql/migrations/0008_comments.sql)
create or replace view current_townships as
select * from asof_townships('infinity'::timestamptz);

comment on view current_townships is '当前乡镇：每个乡镇的最新一版 / Current townships: the latest version of every township';

-- The latest version of every staff member, by pseudonym:
-- asof_staff (sql/views/asof_1_registry.sql) with no end: "latest version per key" is written once.
-- @column-comments: staff_versions (its columns are described there, sql/migrations/0008_comments.sql)
create or replace view current_staff as
select * from asof_staff('infinity'::timestamptz);

comment on view current_staff is '当前教职工：每位教职工（按假名）的最新一版 / Current staff: the latest version of every staff member, by pseudonym';

-- The latest published admission plan per school and year:
-- asof_admission_plans (sql/views/asof_1_registry.sql) with no end: "latest version per key" is written once.
-- @column-comments: admission_plans (its columns are described there, sql/migrations/0008_comments.sql)
create or replace view current_admission_plans as
select * from asof_admission_plans('infinity'::timestamptz);

comment on view current_admission_plans is '当前招生计划：每所学校每年最新公布的一版招生计划 / Current admission plans: the latest published admission plan per school and year';

-- The latest version of every township:
-- asof_townships (sql/views/asof_1_registry.sql) with no end: "latest version per key" is written once.
create or replace view current_townships as
select * from asof_townships('infinity'::timestamptz);

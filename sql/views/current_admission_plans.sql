-- The latest published admission plan per school and year:
-- asof_admission_plans (sql/views/asof_1_registry.sql) with no end: "latest version per key" is written once.
create or replace view current_admission_plans as
select * from asof_admission_plans('infinity'::timestamptz);

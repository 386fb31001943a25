-- The latest population report per region and year:
-- asof_population (sql/views/asof_1_registry.sql) with no end: "latest version per key" is written once.
create or replace view current_population as
select * from asof_population('infinity'::timestamptz);

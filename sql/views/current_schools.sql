-- The latest version of every school (latest occurred_at wins, ties broken by event_id):
-- asof_schools (sql/views/asof_1_registry.sql) with no end: "latest version per key" is written once.
create or replace view current_schools as
select * from asof_schools('infinity'::timestamptz);

-- The latest version of every staff member, by pseudonym:
-- asof_staff (sql/views/asof_1_registry.sql) with no end: "latest version per key" is written once.
create or replace view current_staff as
select * from asof_staff('infinity'::timestamptz);

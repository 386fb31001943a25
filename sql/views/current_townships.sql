-- The latest version of every township.
create or replace view current_townships as
select * from township_versions
qualify row_number() over (partition by township_code order by occurred_at desc, event_id desc) = 1;

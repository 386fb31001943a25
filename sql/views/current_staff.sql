-- The latest version of every staff member, by pseudonym.
create or replace view current_staff as
select * from staff_versions
qualify row_number() over (partition by staff_pseudonym order by occurred_at desc, event_id desc) = 1;

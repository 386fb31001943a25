-- The latest version of every school (latest occurred_at wins, ties broken by event_id).
create or replace view current_schools as
select * from school_versions
qualify row_number() over (partition by school_id order by occurred_at desc, event_id desc) = 1;

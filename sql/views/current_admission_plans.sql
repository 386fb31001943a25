-- The latest published admission plan per school and year.
create or replace view current_admission_plans as
select * from admission_plans
qualify row_number() over (partition by school_id, year order by occurred_at desc, event_id desc) = 1;

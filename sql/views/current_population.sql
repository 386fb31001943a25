-- The latest population report per region and year.
create or replace view current_population as
select * from population_reports
qualify row_number() over (partition by region_code, year order by occurred_at desc, event_id desc) = 1;

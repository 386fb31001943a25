-- The latest population report per region and year:
-- asof_population (sql/views/asof_1_registry.sql) with no end: "latest version per key" is written once.
-- @column-comments: population_reports (its columns are described there, sql/migrations/0008_comments.sql)
create or replace view current_population as
select * from asof_population('infinity'::timestamptz);

comment on view current_population is '当前人口：每个县（市、区）每年最新的一版人口报告 / Current population: the latest population report per region and year';

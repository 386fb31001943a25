-- (asof_N_*: numbered because later macros use earlier ones and views are created in name order;
-- the current_* views, created after them, are these macros with no end.)
-- Registry state "as of" a moment t: the latest version at or before t of every key
-- (greatest occurred_at, then event_id), so a rule can replay any past moment.
-- Table macros: select * from asof_schools($as_of::timestamptz).
-- The Asia/Shanghai wall-clock time of a TIMESTAMPTZ, as a TIMESTAMP. China has kept UTC+8 all
-- year since 1991, so this is arithmetic: over ten times faster than timezone(), which goes
-- through ICU for every row (and rules convert millions). Valid for any moment after 1991.
create or replace macro shanghai_time(ts) as make_timestamp(epoch_us(ts) + 28800000000);

create or replace macro edumon_zone(region) as
  case when region in ('410802', '410803', '410804', '410811', '410871') then 'urban' else region end;

-- @shared: a rule sweep computes it once (alerts/sharedState.ts)
create or replace macro asof_schools(t) as table
  select * from school_versions where occurred_at <= t
  qualify row_number() over (partition by school_id order by occurred_at desc, event_id desc) = 1;

create or replace macro asof_staff(t) as table
  select * from staff_versions where occurred_at <= t
  qualify row_number() over (partition by staff_pseudonym order by occurred_at desc, event_id desc) = 1;

create or replace macro asof_townships(t) as table
  select * from township_versions where occurred_at <= t
  qualify row_number() over (partition by township_code order by occurred_at desc, event_id desc) = 1;

create or replace macro asof_population(t) as table
  select * from population_reports where occurred_at <= t
  qualify row_number() over (partition by region_code, year order by occurred_at desc, event_id desc) = 1;

-- @shared: a rule sweep computes it once (alerts/sharedState.ts)
create or replace macro asof_admission_plans(t) as table
  select * from admission_plans where occurred_at <= t
  qualify row_number() over (partition by school_id, year order by occurred_at desc, event_id desc) = 1;

-- The 11 regions of Jiaozuo (contract codes); 410800 is the city.
create or replace macro jiaozuo_regions() as table
  select * from (values ('410802'), ('410803'), ('410804'), ('410811'), ('410871'), ('410821'), ('410822'),
    ('410823'), ('410825'), ('410882'), ('410883')) r(region_code);

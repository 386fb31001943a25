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

-- What each macro gives, for analysts (duckdb_functions(); docs/warehouse.md).
comment on macro shanghai_time is '上海时间：TIMESTAMPTZ 时刻的 Asia/Shanghai 墙上时间（TIMESTAMP，1991 年后有效） / Shanghai time: the Asia/Shanghai wall-clock time of a TIMESTAMPTZ instant, as a TIMESTAMP (valid after 1991)';
comment on macro edumon_zone is '招生区域：五城区（410802、410803、410804、410811、410871）为同一招生区域 urban，其余为本身代码 / Admission zone: the five urban districts (410802, 410803, 410804, 410811, 410871) are one zone, urban; any other region is its own code';
comment on macro table asof_schools is '截至时刻 t 每所学校的最新一版（school_versions 的列） / Every school''s latest version at or before t (the columns of school_versions)';
comment on macro table asof_staff is '截至时刻 t 每位教职工（按假名）的最新一版（staff_versions 的列） / Every staff member''s latest version at or before t, by pseudonym (the columns of staff_versions)';
comment on macro table asof_townships is '截至时刻 t 每个乡镇的最新一版（township_versions 的列） / Every township''s latest version at or before t (the columns of township_versions)';
comment on macro table asof_population is '截至时刻 t 每个县（市、区）每年的最新人口报告（population_reports 的列） / The latest population report per region and year at or before t (the columns of population_reports)';
comment on macro table asof_admission_plans is '截至时刻 t 每所学校每年的最新招生计划（admission_plans 的列） / The latest admission plan per school and year at or before t (the columns of admission_plans)';
comment on macro table jiaozuo_regions is '焦作市的 11 个县（市、区）代码（region_code；代表全市的 410800 不在其中） / The 11 region codes of Jiaozuo (region_code; 410800, the whole city, is not among them)';

-- rule: KG-FACILITY
-- title: 幼儿园办园条件不达标 / Kindergarten space per child below the floor
-- severity: warning
-- cadence: daily
-- feeds: registry, enrollment
-- params: as_of, kg_outdoor_m2_per_child, kg_activity_m2_per_child, kg_building_m2_per_child
-- policy: 学前 3：「室外游戏场地生均面积（≥4平方米）、幼儿活动用房生均建筑面积（≥8.17平方米）、生均建筑面积（≥10.44平方米）三项指标有计划的通过改扩建或者减少招生人数等措施达标。」
-- measure: 生均面积 / area per child; outdoor = 室外游戏场地生均面积 / outdoor play area per child; activity = 幼儿活动用房生均建筑面积 / activity room floor area per child; building = 生均建筑面积 / building floor area per child
-- unit: 平方米/生 / m²/child
-- comparison: 低于 / below
-- subject: 办园条件 {} / facility measure {}; outdoor = 室外游戏场地 / outdoor play area; activity = 幼儿活动用房 / activity rooms; building = 园舍建筑 / building
-- Per active kindergarten with children and per floor (outdoor play area, activity rooms, building),
-- area below floor x children, compared as decimals (the DOUBLE areas cast to DECIMAL(18,2)).
-- details.event_id: the school version in force, the record stating the areas.
with schools as (
  select * from asof_schools($as_of::timestamptz)
), floors as (
  select * from (values
    ('outdoor', $kg_outdoor_m2_per_child::decimal(18, 2)),
    ('activity', $kg_activity_m2_per_child::decimal(18, 2)),
    ('building', $kg_building_m2_per_child::decimal(18, 2))) f(kind, m2_per_child)
), areas as (
  select x.school_id, x.region_code, x.event_id, s.students, f.kind, f.m2_per_child,
    case f.kind when 'outdoor' then x.outdoor_play_area_m2 when 'activity' then x.activity_room_area_m2
      else x.building_area_m2 end::decimal(18, 2) as area
  from schools x join asof_school_students($as_of::timestamptz) s using (school_id), floors f
  where x.level = 'kindergarten' and x.status = 'active'
)
select 'KG-FACILITY' as rule, school_id, region_code, year(shanghai_time($as_of::timestamptz))::varchar as period,
  kind as subject, round(area / students, 2)::double as observed, m2_per_child::double as threshold,
  json_object('area_m2', area, 'children', students, 'floor_m2_per_child', m2_per_child, 'event_id', event_id) as details
from areas
where area < m2_per_child * students;

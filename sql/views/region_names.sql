-- The names of Jiaozuo's regions (core/regions.ts: the city 410800, its five urban districts, its
-- six counties and county-level cities), for analysts' answers: `join region_names using (region_code)`.
-- Chinese first. tests/integration/sqlExamples.test.ts compares the examples' names with core/regions.ts.
create or replace view region_names as
select * from (values
  ('410800', '焦作市', 'Jiaozuo'),
  ('410802', '解放区', 'Jiefang District'),
  ('410803', '中站区', 'Zhongzhan District'),
  ('410804', '马村区', 'Macun District'),
  ('410811', '山阳区', 'Shanyang District'),
  ('410871', '城乡一体化示范区', 'Urban-Rural Integration Demonstration Zone'),
  ('410821', '修武县', 'Xiuwu County'),
  ('410822', '博爱县', 'Bo’ai County'),
  ('410823', '武陟县', 'Wuzhi County'),
  ('410825', '温县', 'Wen County'),
  ('410882', '沁阳市', 'Qinyang'),
  ('410883', '孟州市', 'Mengzhou')
) r(region_code, name_zh, name_en);

comment on view region_names is '地区名称：焦作市及其各县（市、区）的代码与中英文名称 / Region names: the code and the Chinese and English name of Jiaozuo city and each of its districts, counties and county-level cities';
comment on column region_names.region_code is '行政区划代码（410800 为焦作市） / Administrative division code (410800 is the city of Jiaozuo)';
comment on column region_names.name_zh is '中文名称 / Chinese name';
comment on column region_names.name_en is '英文名称 / English name';

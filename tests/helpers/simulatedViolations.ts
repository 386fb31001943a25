/**
 * An independent oracle for the simulator's truth.json: the rule semantics of docs/SIMULATOR.md
 * written as DuckDB SQL straight over the simulator's JSON Lines (raw ids; the caller
 * pseudonymises subjects). If it and the simulator disagree, one of them is wrong.
 */
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { families } from '../../domain/topics.ts';
import type { ViolationKey } from '../../domain/violation.ts';

/** A violation the oracle found, and whether its `subject` is a raw personal id (to be pseudonymised). */
export type Finding = ViolationKey & { person: boolean };

const URBAN = `('410802','410803','410804','410811','410871')`;

/** What the oracle is asked: the moment, the admission topic's name (DQ-STALE-FEED rows), exempt admission types. */
export interface OracleQuestion {
  asOf: string;
  admissionTopic: string;
  exempt?: string[];
}

/** Every violation the documented semantics find in the files of DIR, as of `asOf`. */
export async function evaluateSimulated(dir: string, opts: OracleQuestion): Promise<Finding[]> {
  const oracle = await openSimulated(dir);
  try {
    return await oracle.at(opts);
  } finally {
    oracle.close();
  }
}

/**
 * The oracle over the files of DIR, read once and asked as of any number of moments (a live
 * replay checks every run's moment). Not concurrent: one question at a time.
 */
export async function openSimulated(dir: string): Promise<{ at(opts: OracleQuestion): Promise<Finding[]>; close(): void }> {
  const instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  const files = families.map((f) => `'${join(dir, `${f}.jsonl`)}'`).join(',');
  await c.run(`set TimeZone = 'Asia/Shanghai'`);
  await c.run(`create table every_event as
    select distinct on (j->>'event_id') (j->>'event_id') as event_id, (j->>'type') as type, (j->>'occurred_at')::timestamptz as t, j
    from read_json_objects([${files}], format = 'newline_delimited') r(j)`);
  await c.run(`create macro zone(r) as case when r in ${URBAN} then 'urban' else r end`);
  await c.run(`create macro ldate(x) as strftime(x, '%Y-%m-%d')`);
  await c.run(`create macro lmonth(x) as strftime(x, '%Y-%m')`);
  return {
    at: (opts) => evaluateAt(c, opts),
    close() {
      c.closeSync();
      instance.closeSync();
    },
  };
}

/** One evaluation on the connection `openSimulated` prepared (its tables are replaced each time). */
async function evaluateAt(c: DuckDBConnection, opts: OracleQuestion): Promise<Finding[]> {
  const T = `'${opts.asOf}'::timestamptz`;
  const exempt = (opts.exempt ?? []).map((x) => `'${x}'`).join(',') || `''`;
  await c.run(`create or replace table e as select * from every_event where t <= ${T}`);
  const s = (f: string) => `(j->>'${f}')`;
  await c.run(`create or replace table school_v as select event_id, t, ${s('school_id')} as school_id, ${s('level')} as level, ${s('ownership')} as ownership, ${s('region_code')} as region_code,
    ${s('township_code')} as township_code, ${s('status')} as status, (j->>'licensed')::boolean as licensed, (j->>'capacity')::int as capacity, (j->>'puhui')::boolean as puhui,
    (j->>'township_central')::boolean as central, (j->>'built_year')::int as built_year, (j->>'outdoor_play_area_m2')::decimal(18,2) as outdoor,
    (j->>'activity_room_area_m2')::decimal(18,2) as activity, (j->>'building_area_m2')::decimal(18,2) as building, (j->>'opened_year')::int as opened_year,
    (j->>'tuition_yuan_per_year')::decimal(18,2) as tuition, (j->>'cost_per_student_yuan_per_year')::decimal(18,2) as cost from e where type = 'school.upserted'`);
  await c.run(`create or replace table sch as select * from school_v qualify row_number() over (partition by school_id order by t desc, event_id desc) = 1`);
  await c.run(`create or replace table staff_v as select event_id, t, ${s('staff_id')} as staff_id, ${s('school_id')} as school_id, ${s('region_code')} as region_code, ${s('role')} as role,
    ${s('employment')} as employment, (j->>'active')::boolean as active, (j->>'monthly_wage_yuan')::decimal(18,2) as wage from e where type = 'staff.upserted'`);
  await c.run(`create or replace table staff as select * from staff_v qualify row_number() over (partition by staff_id order by t desc, event_id desc) = 1`);
  await c.run(`create or replace table twp as select ${s('township_code')} as code, ${s('region_code')} as region_code, (j->>'population')::int as population from e where type = 'township.upserted'
    qualify row_number() over (partition by code order by t desc, event_id desc) = 1`);
  await c.run(`create or replace table pop as select ${s('region_code')} as region_code, (j->>'year')::int as year, (j->>'age_3_5')::int as a35, (j->>'age_15_17')::int as a1517 from e where type = 'population.reported'
    qualify row_number() over (partition by region_code, year order by t desc, event_id desc) = 1`);
  await c.run(`create or replace table plan as select ${s('school_id')} as school_id, (j->>'year')::int as year, (j->>'plan_quota')::int as quota, (j->>'window_opens_at')::timestamptz as opens,
    (j->>'window_closes_at')::timestamptz as closes from e where type = 'admission_plan.published' qualify row_number() over (partition by school_id, year order by t desc, event_id desc) = 1`);
  await c.run(
    `create or replace table adm as select t, ${s('school_id')} as school_id, ${s('student_id')} as student, (j->>'year')::int as year, ${s('home_region_code')} as home, ${s('admission_type')} as atype from e where type = 'admission.admitted'`,
  );
  await c.run(
    `create or replace table cxl as select ${s('school_id')} as school_id, ${s('student_id')} as student, (j->>'year')::int as year, count(*) as n from e where type = 'admission.cancelled' group by all`,
  );
  await c.run(
    `create or replace table net as select a.school_id, a.student, a.year, min(a.t) as t, min(a.home) as home, min(a.atype) as atype, count(*) as n from adm a group by all`,
  );
  await c.run(
    `delete from net where n <= coalesce((select n from cxl where cxl.school_id = net.school_id and cxl.student = net.student and cxl.year = net.year), 0)`,
  );
  await c.run(
    `create or replace table enr as select t, ${s('school_id')} as school_id, ${s('student_id')} as student, (j->>'year')::int as year, (j->>'grade')::int as grade, ${s('class_id')} as class_id from e where type = 'enrollment.enrolled'`,
  );
  await c.run(
    `create or replace table act as select * from enr n where not exists (select 1 from e where type = 'enrollment.left' and ${s('school_id')} = n.school_id and ${s('student_id')} = n.student and t >= n.t)`,
  );
  await c.run(`create or replace table students as select school_id, count(*)::bigint as n from act group by all`);
  await c.run(
    `create or replace table teachers as select school_id, count(*)::bigint as n from staff where active and role = 'full_time_teacher' and school_id is not null group by all`,
  );
  await c.run(
    `create or replace table wage as select t, ${s('school_id')} as school_id, ${s('staff_id')} as staff_id, ${s('period')} as period, (j->>'amount_yuan')::decimal(18,2) as amount from e where type = 'wage.paid'`,
  );
  await c.run(
    `create or replace table ins as select t, ${s('school_id')} as school_id, ${s('staff_id')} as staff_id, ${s('period')} as period from e where type = 'social_insurance.paid'`,
  );
  // Months whose due date (the 10th of the next month) has passed, and who is owed for each.
  await c.run(`create or replace table owed as
    with months as (select strftime(m, '%Y-%m') period, m::timestamptz ms, (m + interval 1 month)::timestamptz as me, (m + interval 1 month + interval 9 day)::date as due
      from range(date_trunc('month', (select min(t) from e)::timestamp), ${T}::timestamp, interval 1 month) r(m)),
    v as (select m.period, m.due, s.* from months m join staff_v s on s.t < m.me where m.due < ${T}::date
      qualify row_number() over (partition by s.staff_id, m.period order by s.t desc, s.event_id desc) = 1)
    select v.period, v.due, v.staff_id, v.school_id, v.wage, v.employment, x.region_code from v join sch x using (school_id) where v.active and v.school_id is not null`);
  const hs = `level = 'high_school' and status = 'active'`;
  const year = `year(${T})::varchar`;
  const q = `
    select 'ADM-CROSS-REGION' as rule, n.school_id, x.region_code, n.year::varchar as period, n.student as subject, true as person from net n join sch x using (school_id)
      where zone(x.region_code) <> zone(n.home) and n.atype not in (${exempt})
    union all select 'ADM-OVER-QUOTA', p.school_id, x.region_code, p.year::varchar, null, false from plan p join sch x using (school_id)
      where p.quota < (select count(*) from net where school_id = p.school_id and year = p.year)
    union all select distinct 'ADM-NO-PLAN', n.school_id, x.region_code, n.year::varchar, null, false from net n left join sch x using (school_id)
      where not exists (select 1 from plan where school_id = n.school_id and year = n.year)
    union all select 'ADM-OUT-OF-WINDOW', n.school_id, x.region_code, n.year::varchar, n.student, true from net n join plan p using (school_id, year) join sch x using (school_id)
      where n.t < p.opens or n.t > p.closes
    union all select 'ADM-OUT-OF-WINDOW', p.school_id, x.region_code, p.year::varchar, null, false from plan p join sch x using (school_id)
      where x.ownership = 'private' and p.opens < (select min(p2.opens) from plan p2 join sch x2 using (school_id)
        where x2.ownership = 'public' and x2.level = x.level and zone(x2.region_code) = zone(x.region_code) and p2.year = p.year)
    union all select 'ADM-DUPLICATE', n.school_id, x.region_code, n.year::varchar, n.student, true from net n join sch x using (school_id)
      where (select count(distinct school_id) from net m where m.student = n.student and m.year = n.year) > 1
    union all select 'ADM-OFF-PLATFORM', n.school_id, x.region_code, n.year::varchar, n.student, true from enr n join sch x using (school_id)
      where n.grade = 1 and x.level in ('high_school', 'vocational') and n.year in (select year from plan) and ${T} - n.t > interval 3 day
        and not exists (select 1 from net where school_id = n.school_id and student = n.student and year = n.year)
    union all select 'ADM-CLASS-SIZE', a.school_id, x.region_code, a.year::varchar, a.class_id, false from act a join sch x using (school_id)
      where a.grade = 1 and x.${hs} group by all having count(*) > 55
    union all select 'ADM-SCHOOL-SIZE', x.school_id, x.region_code, (year(${T}) - case when month(${T}) < 9 then 1 else 0 end)::varchar, null, false
      from sch x join students using (school_id) where x.${hs} and x.opened_year >= 2022 and students.n > 3000
    union all select 'WAGE-MISSING', o.school_id, o.region_code, o.period, o.staff_id, true from owed o
      where not exists (select 1 from wage w where w.staff_id = o.staff_id and w.period = o.period)
    union all select 'WAGE-SHORT', o.school_id, o.region_code, o.period, o.staff_id, true from owed o join wage w using (staff_id, period)
      group by o.school_id, o.region_code, o.period, o.staff_id, o.wage having sum(w.amount) < o.wage - 1
    union all select 'WAGE-LATE', arg_min(w.school_id, w.t), arg_min(x.region_code, w.t), w.period, w.staff_id, true from wage w join sch x using (school_id)
      where w.t::date > (strptime(w.period || '-10', '%Y-%m-%d') + interval 1 month)::date group by w.period, w.staff_id
    union all select 'INSURANCE-MISSING', o.school_id, o.region_code, o.period, o.staff_id, true from owed o
      where not exists (select 1 from ins i where i.staff_id = o.staff_id and i.period = o.period)
    union all select 'STAFF-PUBLIC-AT-PRIVATE', s.school_id, x.region_code, lmonth(s.t), s.staff_id, true from staff s join sch x using (school_id)
      where s.active and s.employment = 'public_post' and x.ownership = 'private'
    union all select distinct 'STAFF-PUBLIC-AT-PRIVATE', w.school_id, q.region_code, lmonth(w.t), w.staff_id, true from wage w join sch q using (school_id)
      join owed o on o.staff_id = w.staff_id and o.period = w.period join sch p on p.school_id = o.school_id
      where q.ownership = 'private' and o.employment = 'public_post' and p.ownership = 'public' and w.school_id <> o.school_id
    union all (with v as (select *, row_number() over (partition by staff_id order by t, event_id) rn from staff_v),
      a as (select v.* from v join sch x using (school_id) where v.active and v.role = 'full_time_teacher' and x.level = 'high_school' and zone(x.region_code) <> 'urban'),
      lv as (select a.staff_id, min(b.rn) lrn from a join v b on b.staff_id = a.staff_id and b.rn > a.rn and (b.school_id is distinct from a.school_id or not b.active) group by all),
      lt as (select lv.staff_id, lv.lrn, b.t from lv join v b on b.staff_id = lv.staff_id and b.rn = lv.lrn)
      select distinct 'STAFF-POACHED', c.school_id, x.region_code, lmonth(c.t), c.staff_id, true from lt join v c on c.staff_id = lt.staff_id and c.rn >= lt.lrn join sch x on x.school_id = c.school_id
      where c.active and c.role = 'full_time_teacher' and x.level = 'high_school' and zone(x.region_code) = 'urban' and c.t - lt.t <= interval 180 day)
    union all (with r as (select x.region_code, sum(n) filter (x.level = 'kindergarten') kg, sum(n) filter (x.level = 'kindergarten' and x.ownership = 'public') pub,
        sum(n) filter (x.level = 'kindergarten' and (x.ownership = 'public' or x.puhui)) puhui, sum(n) filter (x.level <> 'kindergarten') hs
        from sch x join students using (school_id) where x.status = 'active' group by all),
      -- Every region with a population: one with no (public, 普惠) children yet counts zero, not unknown.
      ri as (select p.region_code, coalesce(r.kg, 0) kg, coalesce(r.pub, 0) pub, coalesce(r.puhui, 0) puhui, coalesce(r.hs, 0) hs, p.a35, p.a1517
        from pop p left join r on r.region_code = p.region_code where p.year = year(${T})),
      all_ as (select * from ri union all select '410800', sum(kg), sum(pub), sum(puhui), sum(hs), sum(a35), sum(a1517) from ri)
      select 'KG-GER', null, region_code, ${year}, null, false from all_ where kg * 100 < a35 * 97
      union all select 'KG-PUHUI', null, region_code, ${year}, null, false from all_ where puhui * 100 < kg * 90
      union all select 'KG-PUBLIC-SHARE', null, region_code, ${year}, null, false from all_ where pub * 100 < kg * 50
      union all select 'HS-GER', null, region_code, ${year}, null, false from all_ where hs * 100 < a1517 * 95)
    union all select 'KG-TEACHER-RATIO', x.school_id, x.region_code, ${year}, null, false from sch x join students st using (school_id) left join teachers tc using (school_id)
      where x.level = 'kindergarten' and x.ownership = 'public' and x.status = 'active' and coalesce(tc.n, 0) * 15 < st.n
    union all select 'KG-TOWNSHIP-CENTRAL', null, w.region_code, ${year}, w.code, false from twp w
      where (select count(*) from sch where township_code = w.code and level = 'kindergarten' and ownership = 'public' and central and status = 'active') < case when w.population >= 30000 then 2 else 1 end
    union all select 'KG-FACILITY', x.school_id, x.region_code, ${year}, f.kind, false from sch x join students st using (school_id),
      (values ('outdoor', 4.00), ('activity', 8.17), ('building', 10.44)) f(kind, floor)
      where x.level = 'kindergarten' and x.status = 'active' and case f.kind when 'outdoor' then x.outdoor when 'activity' then x.activity else x.building end < f.floor * st.n
    union all select 'KG-NEW-PUBLIC-PLACES', null, '410800', ${year}, null, false from (select sum(capacity) added from sch where level = 'kindergarten' and ownership = 'public' and status = 'active' and built_year >= 2022)
      where added * 1460 < 10000 * least(1460, ${T}::date - date '2022-01-01')
    union all select 'KG-RESEARCHER', null, r.code, ${year}, null, false from (values ('410802'),('410803'),('410804'),('410811'),('410871'),('410821'),('410822'),('410823'),('410825'),('410882'),('410883')) r(code)
      where not exists (select 1 from staff where region_code = r.code and role = 'preschool_researcher' and active)
    union all select 'KG-UNLICENSED', school_id, region_code, ${year}, null, false from sch where level = 'kindergarten' and status = 'active' and not licensed
    union all select 'HS-FUNDS', x.school_id, x.region_code, ${year}, null, false from sch x join students st using (school_id)
      where x.${hs} and coalesce((select sum((j->>'amount_yuan')::decimal(18,2)) from e where type = 'funds.disbursed' and (j->>'fund_type') = 'per_student_public_funds'
        and (j->>'school_id') = x.school_id and (j->>'fiscal_year')::int = year(${T})), 0) * 4
        < 1000 * st.n * (select count(*) from (values (3), (6), (9), (12)) q(m) where last_day(make_date(year(${T}), q.m, 1)) <= ${T}::date)
    union all select 'HS-TUITION', school_id, region_code, ${year}, null, false from sch where ${hs} and tuition * 4 > cost
    union all select 'HS-TEACHERS', x.school_id, x.region_code, ${year}, null, false from sch x join students st using (school_id) left join teachers tc using (school_id)
      where x.${hs} and coalesce(tc.n, 0) * 125 < st.n * 11
    union all select 'DQ-UNKNOWN-SCHOOL', (j->>'school_id'), null, ldate(min(t)), null, false from e where type <> 'school.upserted' and (j->>'school_id') is not null
      and (j->>'school_id') not in (select school_id from school_v) group by all
    union all (with a as (select max(t) as prev, ${T} as t from e where type in ('admission_plan.published', 'admission.admitted', 'admission.cancelled'))
      select 'DQ-STALE-FEED', null, null, strftime(t, '%Y'), 'admission', false from a
      where t - prev >= interval 30 minute and strftime(prev, '%m-%d') between '06-15' and '08-31' and strftime(t, '%m-%d') between '06-15' and '08-31' and year(t) = year(prev))`;
  const rows = (await c.runAndReadAll(q)).getRowObjectsJson() as unknown as Finding[];
  return rows.map((r) => ({ ...r, period: String(r.period) }));
}

-- The data dictionary, kept in the warehouse itself: a comment on every table and every column,
-- Chinese first, then English, in one string, read by analysts (duckdb_tables(),
-- duckdb_columns()) and by the generator of docs/warehouse.md (pipeline/warehouseDictionary.ts).
-- Event columns carry the contract's field names (domain/contract.ts: the enums listed here are
-- its value sets; tests/unit/warehouseComments.test.ts checks both). A later migration that adds
-- a table or a column comments it too: that test names any column without one.

-- Events: one table per event type (domain/eventTables.ts), every version kept.

comment on table school_versions is '学校版本：学校登记信息（school.upserted）的每一版，current_schools 给出最新一版 / School versions: every version of a school''s registry record (school.upserted); current_schools gives the latest';
comment on column school_versions.event_id is '事件编号：生产方平台自己的记录号，幂等键（重复投递只存一次），告警以它指明源记录 / Event id: the producing platform''s own record number, the idempotency key (a redelivered event is stored once); alerts name the source record by it';
comment on column school_versions.occurred_at is '版本时间（TIMESTAMPTZ 时刻）：同一学校以最晚者为准，相同则比较 event_id / When this version took effect (a TIMESTAMPTZ instant): the latest wins per school, ties broken by event_id';
comment on column school_versions.source is '来源：事件所附的来源说明（可空，至多 200 字符） / Source: the label the event came with (optional, at most 200 characters)';
comment on column school_versions.school_id is '学校标识码：10 位数字 / School id: the school''s 10-digit identification code (学校标识码)';
comment on column school_versions.name is '学校名称 / School name';
comment on column school_versions.level is '学段：`kindergarten` 幼儿园、`high_school` 普通高中、`vocational` 中等职业学校 / Level: `kindergarten`, `high_school` or `vocational`';
comment on column school_versions.ownership is '办学性质：`public` 公办、`private` 民办 / Ownership: `public` or `private`';
comment on column school_versions.region_code is '所在县（市、区）的 6 位行政区划代码 / The 6-digit administrative division code of the school''s region (county, city or district)';
comment on column school_versions.township_code is '所在乡镇的 9 位代码（以 region_code 开头，可空） / The 9-digit code of the school''s township (begins with region_code; optional)';
comment on column school_versions.status is '办学状态：`active` 在办、`closed` 已停办 / Status: `active` or `closed`';
comment on column school_versions.licensed is '是否取得办学许可证（幼儿园为 false 即无证园） / Whether the school holds its operating licence (a kindergarten with false is unlicensed, 无证园)';
comment on column school_versions.capacity is '学位数（个） / Capacity: the number of places';
comment on column school_versions.puhui is '是否普惠性幼儿园（公办园均为 true；幼儿园填写，可空） / Whether the kindergarten is a 普惠性幼儿园 (affordable, inclusive; true for every public one; kindergartens only, optional)';
comment on column school_versions.nonprofit is '是否非营利性幼儿园（幼儿园填写，可空） / Whether the kindergarten is non-profit (kindergartens only, optional)';
comment on column school_versions.township_central is '是否乡镇中心幼儿园（幼儿园填写，可空） / Whether the kindergarten is its township''s central kindergarten (乡镇中心幼儿园; kindergartens only, optional)';
comment on column school_versions.built_year is '建园年份（幼儿园填写，可空） / The year the kindergarten was built (kindergartens only, optional)';
comment on column school_versions.outdoor_play_area_m2 is '室外游戏场地面积，平方米（幼儿园填写，可空） / Outdoor play area in square metres (kindergartens only, optional)';
comment on column school_versions.activity_room_area_m2 is '幼儿活动用房建筑面积，平方米（幼儿园填写，可空） / Floor area of the children''s activity rooms in square metres (kindergartens only, optional)';
comment on column school_versions.building_area_m2 is '建筑面积，平方米（幼儿园填写，可空） / Building floor area in square metres (kindergartens only, optional)';
comment on column school_versions.opened_year is '开办年份（高中填写，可空） / The year the school opened (high schools only, optional)';
comment on column school_versions.tuition_yuan_per_year is '学费，元/生·年（高中填写，可空） / Tuition in yuan per student per year (high schools only, optional)';
comment on column school_versions.cost_per_student_yuan_per_year is '年生均教育培养成本，元/生·年（高中填写，可空） / Yearly education cost per student in yuan (high schools only, optional)';
comment on column school_versions.ingested_at is '入库时间（TIMESTAMPTZ 时刻）：edumon 存入该事件的时刻 / When edumon stored the event (a TIMESTAMPTZ instant)';

comment on table staff_versions is '教职工版本：教职工登记信息（staff.upserted）的每一版，按假名区分，current_staff 给出最新一版 / Staff versions: every version of a staff member''s record (staff.upserted), by pseudonym; current_staff gives the latest';
comment on column staff_versions.event_id is '事件编号：生产方平台自己的记录号，幂等键（重复投递只存一次），告警以它指明源记录 / Event id: the producing platform''s own record number, the idempotency key (a redelivered event is stored once); alerts name the source record by it';
comment on column staff_versions.occurred_at is '版本时间（TIMESTAMPTZ 时刻）：同一教职工以最晚者为准，相同则比较 event_id / When this version took effect (a TIMESTAMPTZ instant): the latest wins per staff member, ties broken by event_id';
comment on column staff_versions.source is '来源：事件所附的来源说明（可空，至多 200 字符） / Source: the label the event came with (optional, at most 200 characters)';
comment on column staff_versions.staff_pseudonym is '教职工假名：个人标识（身份证号、工资号）经密钥 HMAC 计算所得，同一人总得同一假名以便关联；从不存原始标识 / Staff pseudonym: a keyed pseudonym (HMAC) of the personal id (ID card or payroll number); the same id always gives the same pseudonym, so records join; never the id itself';
comment on column staff_versions.school_id is '任职学校的学校标识码（教育局人员如教研员为空） / The employing school''s 10-digit id (null for bureau staff, such as preschool researchers)';
comment on column staff_versions.region_code is '所属县（市、区）的 6 位行政区划代码 / The 6-digit code of the staff member''s region';
comment on column staff_versions.role is '岗位：`full_time_teacher` 专任教师、`caregiver` 保育员、`preschool_researcher` 学前教育专职教研员、`other` 其他 / Role: `full_time_teacher`, `caregiver`, `preschool_researcher` or `other`';
comment on column staff_versions.employment is '用工方式：`public_post` 公办编制、`contract` 合同制 / Employment: `public_post` (an established public post) or `contract`';
comment on column staff_versions.active is '是否在职 / Whether the staff member is active';
comment on column staff_versions.monthly_wage_yuan is '约定月工资（应发），元 / The agreed gross monthly wage, in yuan';
comment on column staff_versions.ingested_at is '入库时间（TIMESTAMPTZ 时刻）：edumon 存入该事件的时刻 / When edumon stored the event (a TIMESTAMPTZ instant)';

comment on table township_versions is '乡镇版本：乡镇登记信息（township.upserted）的每一版，current_townships 给出最新一版 / Township versions: every version of a township''s record (township.upserted); current_townships gives the latest';
comment on column township_versions.event_id is '事件编号：生产方平台自己的记录号，幂等键（重复投递只存一次），告警以它指明源记录 / Event id: the producing platform''s own record number, the idempotency key (a redelivered event is stored once); alerts name the source record by it';
comment on column township_versions.occurred_at is '版本时间（TIMESTAMPTZ 时刻）：同一乡镇以最晚者为准，相同则比较 event_id / When this version took effect (a TIMESTAMPTZ instant): the latest wins per township, ties broken by event_id';
comment on column township_versions.source is '来源：事件所附的来源说明（可空，至多 200 字符） / Source: the label the event came with (optional, at most 200 characters)';
comment on column township_versions.township_code is '乡镇代码：9 位，以所属 region_code 开头 / Township code: 9 digits, beginning with its region_code';
comment on column township_versions.region_code is '所属县（市、区）的 6 位行政区划代码 / The 6-digit code of the township''s region';
comment on column township_versions.name is '乡镇名称 / Township name';
comment on column township_versions.population is '乡镇人口（人） / The township''s population (persons)';
comment on column township_versions.ingested_at is '入库时间（TIMESTAMPTZ 时刻）：edumon 存入该事件的时刻 / When edumon stored the event (a TIMESTAMPTZ instant)';

comment on table population_reports is '人口报告：各县（市、区）每年的适龄人口（population.reported）的每一版，current_population 给出最新一版 / Population reports: every version of a region''s yearly school-age population (population.reported); current_population gives the latest';
comment on column population_reports.event_id is '事件编号：生产方平台自己的记录号，幂等键（重复投递只存一次），告警以它指明源记录 / Event id: the producing platform''s own record number, the idempotency key (a redelivered event is stored once); alerts name the source record by it';
comment on column population_reports.occurred_at is '报告时间（TIMESTAMPTZ 时刻）：同一区域同一年以最晚者为准，相同则比较 event_id / When the report was made (a TIMESTAMPTZ instant): the latest wins per region and year, ties broken by event_id';
comment on column population_reports.source is '来源：事件所附的来源说明（可空，至多 200 字符） / Source: the label the event came with (optional, at most 200 characters)';
comment on column population_reports.region_code is '县（市、区）的 6 位行政区划代码 / The 6-digit code of the region reported';
comment on column population_reports.year is '年份 / The year reported';
comment on column population_reports.age_3_5 is '3–5 岁常住儿童数（人），学前三年毛入园率的分母 / Resident children aged 3 to 5 (persons): the denominator of the preschool gross enrolment rate (学前三年毛入园率)';
comment on column population_reports.age_15_17 is '15–17 岁常住人口数（人），高中阶段毛入学率的分母 / Residents aged 15 to 17 (persons): the denominator of the high-school-stage gross enrolment rate (高中阶段毛入学率)';
comment on column population_reports.ingested_at is '入库时间（TIMESTAMPTZ 时刻）：edumon 存入该事件的时刻 / When edumon stored the event (a TIMESTAMPTZ instant)';

comment on table admission_plans is '招生计划：各校每年公布的招生计划（admission_plan.published）的每一版，current_admission_plans 给出最新一版 / Admission plans: every version of a school''s yearly admission plan (admission_plan.published); current_admission_plans gives the latest';
comment on column admission_plans.event_id is '事件编号：生产方平台自己的记录号，幂等键（重复投递只存一次），告警以它指明源记录 / Event id: the producing platform''s own record number, the idempotency key (a redelivered event is stored once); alerts name the source record by it';
comment on column admission_plans.occurred_at is '公布时间（TIMESTAMPTZ 时刻）：同一学校同一年以最晚者为准，相同则比较 event_id / When the plan was published (a TIMESTAMPTZ instant): the latest wins per school and year, ties broken by event_id';
comment on column admission_plans.source is '来源：事件所附的来源说明（可空，至多 200 字符） / Source: the label the event came with (optional, at most 200 characters)';
comment on column admission_plans.school_id is '学校标识码（10 位） / The school''s 10-digit id';
comment on column admission_plans.year is '招生年份（以秋季入学命名） / The admission year, named by its autumn intake';
comment on column admission_plans.plan_quota is '计划招生数（人，大于 0） / The planned intake (students, above 0)';
comment on column admission_plans.window_opens_at is '招生窗口开启时刻（TIMESTAMPTZ） / When the admission window opens (a TIMESTAMPTZ instant)';
comment on column admission_plans.window_closes_at is '招生窗口关闭时刻（TIMESTAMPTZ，不早于开启） / When the admission window closes (a TIMESTAMPTZ instant, not before it opens)';
comment on column admission_plans.ingested_at is '入库时间（TIMESTAMPTZ 时刻）：edumon 存入该事件的时刻 / When edumon stored the event (a TIMESTAMPTZ instant)';

comment on table admissions is '录取：招生平台的每条录取记录（admission.admitted） / Admissions: every admission recorded by the admission platform (admission.admitted)';
comment on column admissions.event_id is '事件编号：生产方平台自己的记录号，幂等键（重复投递只存一次），告警以它指明源记录 / Event id: the producing platform''s own record number, the idempotency key (a redelivered event is stored once); alerts name the source record by it';
comment on column admissions.occurred_at is '录取时刻（TIMESTAMPTZ） / The moment of admission (a TIMESTAMPTZ instant)';
comment on column admissions.source is '来源：事件所附的来源说明（可空，至多 200 字符） / Source: the label the event came with (optional, at most 200 characters)';
comment on column admissions.school_id is '录取学校的学校标识码（10 位） / The admitting school''s 10-digit id';
comment on column admissions.student_pseudonym is '学生假名：个人标识（学籍号、身份证号）经密钥 HMAC 计算所得，同一人总得同一假名以便关联；从不存原始标识 / Student pseudonym: a keyed pseudonym (HMAC) of the personal id (学籍号 or ID card number); the same id always gives the same pseudonym, so records join; never the id itself';
comment on column admissions.year is '招生年份（以秋季入学命名） / The admission year, named by its autumn intake';
comment on column admissions.home_region_code is '学生户籍所在地的 6 位行政区划代码（可为焦作以外） / The 6-digit code of the student''s home region (may be outside Jiaozuo)';
comment on column admissions.admission_type is '录取类型：`unified` 统一招生、`quota_to_school` 指标到校、`arts_special` 艺术特长、`sports_special` 体育特长、`other` 其他 / Admission type: `unified`, `quota_to_school`, `arts_special`, `sports_special` or `other`';
comment on column admissions.ingested_at is '入库时间（TIMESTAMPTZ 时刻）：edumon 存入该事件的时刻 / When edumon stored the event (a TIMESTAMPTZ instant)';

comment on table admission_cancellations is '撤销录取：每条录取撤销记录（admission.cancelled），录取多于撤销者为净录取 / Admission cancellations: every cancelled admission (admission.cancelled); a student with more admissions than cancellations is a net admission';
comment on column admission_cancellations.event_id is '事件编号：生产方平台自己的记录号，幂等键（重复投递只存一次），告警以它指明源记录 / Event id: the producing platform''s own record number, the idempotency key (a redelivered event is stored once); alerts name the source record by it';
comment on column admission_cancellations.occurred_at is '撤销时刻（TIMESTAMPTZ） / The moment of cancellation (a TIMESTAMPTZ instant)';
comment on column admission_cancellations.source is '来源：事件所附的来源说明（可空，至多 200 字符） / Source: the label the event came with (optional, at most 200 characters)';
comment on column admission_cancellations.school_id is '撤销录取的学校标识码（10 位） / The 10-digit id of the school whose admission is cancelled';
comment on column admission_cancellations.student_pseudonym is '学生假名：个人标识（学籍号、身份证号）经密钥 HMAC 计算所得，同一人总得同一假名以便关联；从不存原始标识 / Student pseudonym: a keyed pseudonym (HMAC) of the personal id (学籍号 or ID card number); the same id always gives the same pseudonym, so records join; never the id itself';
comment on column admission_cancellations.year is '招生年份（以秋季入学命名） / The admission year, named by its autumn intake';
comment on column admission_cancellations.reason is '撤销原因（自由文本，可空，至多 500 字符） / Why it was cancelled (free text, optional, at most 500 characters)';
comment on column admission_cancellations.ingested_at is '入库时间（TIMESTAMPTZ 时刻）：edumon 存入该事件的时刻 / When edumon stored the event (a TIMESTAMPTZ instant)';

comment on table enrollments is '在籍注册：学生在某校某班的注册记录（enrollment.enrolled），此后无离校记录者为在园（在校）学生 / Enrollments: a student enrolled in a class of a school (enrollment.enrolled); active while no departure from that school follows';
comment on column enrollments.event_id is '事件编号：生产方平台自己的记录号，幂等键（重复投递只存一次），告警以它指明源记录 / Event id: the producing platform''s own record number, the idempotency key (a redelivered event is stored once); alerts name the source record by it';
comment on column enrollments.occurred_at is '注册时刻（TIMESTAMPTZ） / The moment of enrollment (a TIMESTAMPTZ instant)';
comment on column enrollments.source is '来源：事件所附的来源说明（可空，至多 200 字符） / Source: the label the event came with (optional, at most 200 characters)';
comment on column enrollments.school_id is '注册学校的学校标识码（10 位） / The 10-digit id of the school enrolled in';
comment on column enrollments.student_pseudonym is '学生假名：个人标识（学籍号、身份证号）经密钥 HMAC 计算所得，同一人总得同一假名以便关联；从不存原始标识 / Student pseudonym: a keyed pseudonym (HMAC) of the personal id (学籍号 or ID card number); the same id always gives the same pseudonym, so records join; never the id itself';
comment on column enrollments.year is '学年（以秋季入学命名） / The academic year, named by its autumn intake';
comment on column enrollments.level is '学段：`kindergarten` 幼儿园、`high_school` 普通高中、`vocational` 中等职业学校 / Level: `kindergarten`, `high_school` or `vocational`';
comment on column enrollments.grade is '年级：1–3 / Grade: 1 to 3';
comment on column enrollments.class_id is '班级（如 2025级01班，区分大小写） / The class, e.g. 2025级01班 (case-sensitive)';
comment on column enrollments.home_region_code is '学生户籍所在地的 6 位行政区划代码（可为焦作以外） / The 6-digit code of the student''s home region (may be outside Jiaozuo)';
comment on column enrollments.birth_date is '出生日期（DATE，可空） / Date of birth (a DATE; optional)';
comment on column enrollments.ingested_at is '入库时间（TIMESTAMPTZ 时刻）：edumon 存入该事件的时刻 / When edumon stored the event (a TIMESTAMPTZ instant)';

comment on table enrollment_departures is '离校：学生离开某校的记录（enrollment.left） / Enrollment departures: a student leaving a school (enrollment.left)';
comment on column enrollment_departures.event_id is '事件编号：生产方平台自己的记录号，幂等键（重复投递只存一次），告警以它指明源记录 / Event id: the producing platform''s own record number, the idempotency key (a redelivered event is stored once); alerts name the source record by it';
comment on column enrollment_departures.occurred_at is '离校时刻（TIMESTAMPTZ） / The moment of leaving (a TIMESTAMPTZ instant)';
comment on column enrollment_departures.source is '来源：事件所附的来源说明（可空，至多 200 字符） / Source: the label the event came with (optional, at most 200 characters)';
comment on column enrollment_departures.school_id is '所离学校的学校标识码（10 位） / The 10-digit id of the school left';
comment on column enrollment_departures.student_pseudonym is '学生假名：个人标识（学籍号、身份证号）经密钥 HMAC 计算所得，同一人总得同一假名以便关联；从不存原始标识 / Student pseudonym: a keyed pseudonym (HMAC) of the personal id (学籍号 or ID card number); the same id always gives the same pseudonym, so records join; never the id itself';
comment on column enrollment_departures.reason is '离校原因：`graduated` 毕业、`transferred` 转学、`dropped_out` 辍学、`other` 其他 / Reason: `graduated`, `transferred`, `dropped_out` or `other`';
comment on column enrollment_departures.ingested_at is '入库时间（TIMESTAMPTZ 时刻）：edumon 存入该事件的时刻 / When edumon stored the event (a TIMESTAMPTZ instant)';

comment on table fund_disbursements is '经费拨付：拨付给学校的每笔经费（funds.disbursed） / Fund disbursements: every sum paid to a school (funds.disbursed)';
comment on column fund_disbursements.event_id is '事件编号：生产方平台自己的记录号，幂等键（重复投递只存一次），告警以它指明源记录 / Event id: the producing platform''s own record number, the idempotency key (a redelivered event is stored once); alerts name the source record by it';
comment on column fund_disbursements.occurred_at is '拨付时刻（TIMESTAMPTZ） / The moment of disbursement (a TIMESTAMPTZ instant)';
comment on column fund_disbursements.source is '来源：事件所附的来源说明（可空，至多 200 字符） / Source: the label the event came with (optional, at most 200 characters)';
comment on column fund_disbursements.school_id is '收款学校的学校标识码（10 位） / The receiving school''s 10-digit id';
comment on column fund_disbursements.fiscal_year is '预算年度（自然年） / The fiscal year: the calendar year of the budget';
comment on column fund_disbursements.fund_type is '经费类别：`per_student_public_funds` 生均公用经费、`puhui_subsidy` 普惠性幼儿园补助、`student_aid` 学生资助、`facility` 设施建设、`other` 其他 / Fund type: `per_student_public_funds`, `puhui_subsidy`, `student_aid`, `facility` or `other`';
comment on column fund_disbursements.amount_yuan is '金额，元（两位小数） / The amount in yuan (2 decimals)';
comment on column fund_disbursements.ingested_at is '入库时间（TIMESTAMPTZ 时刻）：edumon 存入该事件的时刻 / When edumon stored the event (a TIMESTAMPTZ instant)';

comment on table wage_payments is '工资发放：学校向教职工发放的每笔工资（wage.paid） / Wage payments: every wage a school paid to a staff member (wage.paid)';
comment on column wage_payments.event_id is '事件编号：生产方平台自己的记录号，幂等键（重复投递只存一次），告警以它指明源记录 / Event id: the producing platform''s own record number, the idempotency key (a redelivered event is stored once); alerts name the source record by it';
comment on column wage_payments.occurred_at is '发放时刻（TIMESTAMPTZ） / The moment of payment (a TIMESTAMPTZ instant)';
comment on column wage_payments.source is '来源：事件所附的来源说明（可空，至多 200 字符） / Source: the label the event came with (optional, at most 200 characters)';
comment on column wage_payments.school_id is '付款学校的学校标识码（10 位） / The paying school''s 10-digit id';
comment on column wage_payments.staff_pseudonym is '教职工假名：个人标识（身份证号、工资号）经密钥 HMAC 计算所得，同一人总得同一假名以便关联；从不存原始标识 / Staff pseudonym: a keyed pseudonym (HMAC) of the personal id (ID card or payroll number); the same id always gives the same pseudonym, so records join; never the id itself';
comment on column wage_payments.period is '工资所属月份（YYYY-MM） / The month the wage is for (YYYY-MM)';
comment on column wage_payments.amount_yuan is '金额，元（两位小数） / The amount in yuan (2 decimals)';
comment on column wage_payments.ingested_at is '入库时间（TIMESTAMPTZ 时刻）：edumon 存入该事件的时刻 / When edumon stored the event (a TIMESTAMPTZ instant)';

comment on table insurance_payments is '社保缴纳：学校为教职工缴纳的每笔社会保险（social_insurance.paid） / Insurance payments: every social insurance contribution a school paid for a staff member (social_insurance.paid)';
comment on column insurance_payments.event_id is '事件编号：生产方平台自己的记录号，幂等键（重复投递只存一次），告警以它指明源记录 / Event id: the producing platform''s own record number, the idempotency key (a redelivered event is stored once); alerts name the source record by it';
comment on column insurance_payments.occurred_at is '缴纳时刻（TIMESTAMPTZ） / The moment of payment (a TIMESTAMPTZ instant)';
comment on column insurance_payments.source is '来源：事件所附的来源说明（可空，至多 200 字符） / Source: the label the event came with (optional, at most 200 characters)';
comment on column insurance_payments.school_id is '缴纳学校的学校标识码（10 位） / The paying school''s 10-digit id';
comment on column insurance_payments.staff_pseudonym is '教职工假名：个人标识（身份证号、工资号）经密钥 HMAC 计算所得，同一人总得同一假名以便关联；从不存原始标识 / Staff pseudonym: a keyed pseudonym (HMAC) of the personal id (ID card or payroll number); the same id always gives the same pseudonym, so records join; never the id itself';
comment on column insurance_payments.period is '社保所属月份（YYYY-MM） / The month the contribution is for (YYYY-MM)';
comment on column insurance_payments.amount_yuan is '金额，元（两位小数） / The amount in yuan (2 decimals)';
comment on column insurance_payments.ingested_at is '入库时间（TIMESTAMPTZ 时刻）：edumon 存入该事件的时刻 / When edumon stored the event (a TIMESTAMPTZ instant)';

-- Ingest bookkeeping: written in the same transaction as each batch (pipeline/sink.ts).

comment on table ingest_offsets is '消费进度：每个主题分区下一条要读的偏移量，与事件同一事务写入，重启时以此为准 / Ingest offsets: the next offset to read per topic-partition, written in the same transaction as the events; the source of truth on restart';
comment on column ingest_offsets.topic is 'Kafka 主题名 / Kafka topic';
comment on column ingest_offsets.partition is 'Kafka 分区号 / Kafka partition';
comment on column ingest_offsets.next_offset is '下一条要读的偏移量 / The next offset to read';
comment on column ingest_offsets.updated_at is '最近一次写入的时刻（TIMESTAMPTZ） / When it was last written (a TIMESTAMPTZ instant)';

comment on table rejections is '拒收记录：每条被拒收的消息（不存内容，以字节的 SHA-256 在 edu.dlq 中识别它） / Rejections: one row per rejected message (never its payload: a SHA-256 of the bytes identifies it in edu.dlq)';
comment on column rejections.topic is '消息所在的 Kafka 主题 / The Kafka topic of the message';
comment on column rejections.partition is '消息所在的 Kafka 分区 / The Kafka partition of the message';
comment on column rejections.offset is '消息的偏移量 / The offset of the message';
comment on column rejections.reason is '拒收原因：给人读的说明，只描述值的形状，从不含值 / Why it was rejected, for a person to read: it gives the shape of a value, never the value';
comment on column rejections.payload_sha256 is '消息字节的 SHA-256（十六进制），用于在 edu.dlq 中识别 / The SHA-256 of the message bytes (hex), to find it in edu.dlq';
comment on column rejections.payload_bytes is '消息大小，字节 / The message size in bytes';
comment on column rejections.rejected_at is '拒收时刻（TIMESTAMPTZ） / When it was rejected (a TIMESTAMPTZ instant)';

comment on table feed_progress is '数据流进度：每个数据流每个主题分区已存事件的最大发生时间，与偏移量同一事务写入，只进不退；规则按各数据流的水位判断 / Feed progress: the greatest occurred_at of each feed''s stored events per topic-partition, written with the offsets and never moving backwards; rules judge as of their feeds'' watermarks';
comment on column feed_progress.feed is '数据流：`registry` 登记、`admission` 招生、`enrollment` 学籍、`payroll` 工资社保、`funds` 经费 / Feed: `registry`, `admission`, `enrollment`, `payroll` or `funds`';
comment on column feed_progress.topic is 'Kafka 主题名（本迁移前已存的事件为空串） / Kafka topic ('''' for events stored before feed progress was kept)';
comment on column feed_progress.partition is 'Kafka 分区号（本迁移前已存的事件为 -1） / Kafka partition (-1 for events stored before feed progress was kept)';
comment on column feed_progress.max_occurred_at is '该数据流已存事件的最大发生时间（TIMESTAMPTZ） / The greatest occurred_at of the feed''s stored events (a TIMESTAMPTZ instant)';
comment on column feed_progress.updated_at is '最近一次写入的时刻（TIMESTAMPTZ） / When it was last written (a TIMESTAMPTZ instant)';

comment on table schema_migrations is '已应用的迁移：sql/migrations/ 中每个已执行的文件 / Applied migrations: every file of sql/migrations/ that has run';
comment on column schema_migrations.version is '迁移名，如 0001_events / The migration''s name, e.g. 0001_events';
comment on column schema_migrations.applied_at is '应用时刻（TIMESTAMPTZ） / When it was applied (a TIMESTAMPTZ instant)';

-- Alerts (issue #4): an alert's identity is (rule, school_id, region_code, period, subject).

comment on table rule_runs is '规则运行记录：每次规则运行，失败的也记（DQ-RULE-FAILED 与调度器读取） / Rule runs: every run of a rule, failed ones too (DQ-RULE-FAILED and the scheduler read these)';
comment on column rule_runs.rule is '规则编号，如 ADM-OVER-QUOTA（见 docs/rules.md） / Rule id, e.g. ADM-OVER-QUOTA (docs/rules.md)';
comment on column rule_runs.as_of is '本轮运行请求判断的时刻（TIMESTAMPTZ） / The moment the sweep asked the rule to judge (a TIMESTAMPTZ instant)';
comment on column rule_runs.started_at is '规则查询开始的时刻（TIMESTAMPTZ） / When the rule''s query started (a TIMESTAMPTZ instant)';
comment on column rule_runs.duration_ms is '规则查询耗时，毫秒 / How long the rule''s query took, in milliseconds';
comment on column rule_runs.rows_found is '发现的违规行数（运行失败为空） / How many violation rows it found (null for a failed run)';
comment on column rule_runs.ok is '是否运行成功 / Whether the run succeeded';
comment on column rule_runs.error is '失败原因（成功为空） / Why it failed (null when it succeeded)';
comment on column rule_runs.effective_as_of is '规则实际判断的时刻（TIMESTAMPTZ）：请求时刻与其数据流水位中最早者 / The moment the rule judged (a TIMESTAMPTZ instant): the earliest of the requested moment and its feeds'' watermarks';

comment on table alerts is '告警：每条违规一条告警，同一身份（规则、学校、区域、期间、对象）每次运行都是同一告警；已解决的再次出现时重新打开 / Alerts: one per violation; the same identity (rule, school, region, period, subject) is the same alert from run to run, and a resolved one that returns reopens';
comment on column alerts.id is '告警编号：告警身份的 SHA-256 前 16 位十六进制 / Alert id: the first 16 hex digits of the SHA-256 of the alert''s identity';
comment on column alerts.rule is '规则编号，如 ADM-OVER-QUOTA（见 docs/rules.md） / Rule id, e.g. ADM-OVER-QUOTA (docs/rules.md)';
comment on column alerts.school_id is '涉及学校的学校标识码（区域性告警为空） / The 10-digit id of the school concerned (null for a region''s alert)';
comment on column alerts.region_code is '涉及区域的 6 位行政区划代码，410800 为全市 / The 6-digit code of the region concerned; 410800 is the city';
comment on column alerts.period is '期间：年份 YYYY 或月份 YYYY-MM，依规则而定（见 docs/rules.md） / Period: a year YYYY or a month YYYY-MM, as the rule says (docs/rules.md)';
comment on column alerts.subject is '对象：学生或教职工假名、班级等，依规则而定，可空（见 docs/rules.md） / Subject: a student or staff pseudonym, a class and so on, as the rule says; may be null (docs/rules.md)';
comment on column alerts.severity is '严重程度：`critical` 严重（违禁行为或硬性限值被突破）、`warning` 警告（目标未达或有风险）、`info` 提示 / Severity: `critical` (a forbidden act or a hard limit broken), `warning` (a target missed or at risk) or `info`';
comment on column alerts.status is '状态：`open` 未解决、`resolved` 已解决 / Status: `open` or `resolved`';
comment on column alerts.occurrence is '第几次出现：首次为 1，每次重新打开加 1 / Occurrence: 1, then +1 at each reopening';
comment on column alerts.opened_at is '本次出现打开的时刻（TIMESTAMPTZ） / When the current occurrence opened (a TIMESTAMPTZ instant)';
comment on column alerts.last_seen_at is '最近一次仍发现该违规的运行时刻（TIMESTAMPTZ） / When a run last found the violation (a TIMESTAMPTZ instant)';
comment on column alerts.resolved_at is '解决时刻（TIMESTAMPTZ，未解决为空） / When it resolved (a TIMESTAMPTZ instant; null while open)';
comment on column alerts.observed is '观测值，文本（规则可返回数字或词） / The measured value, as text (a rule may return a number or a word)';
comment on column alerts.threshold is '限值，文本 / The limit, as text';
comment on column alerts.details is '证据（JSON），如 event_id 指明源记录 / The evidence (JSON), e.g. event_id naming the source record';
comment on column alerts.acked_at is '确认时刻（edumon alerts ack；TIMESTAMPTZ），重新打开时清除 / When it was acknowledged (edumon alerts ack; a TIMESTAMPTZ instant), cleared when it reopens';
comment on column alerts.ack_note is '确认备注 / The note given with the acknowledgement';

comment on table alert_transitions is '告警变迁：每条告警的打开、重新打开与解决的历史 / Alert transitions: the history of every alert''s openings, reopenings and resolutions';
comment on column alert_transitions.alert_id is '告警编号（alerts.id） / The alert (alerts.id)';
comment on column alert_transitions.kind is '变迁：`open` 打开、`reopen` 重新打开、`resolve` 解决 / Kind: `open`, `reopen` or `resolve`';
comment on column alert_transitions.occurrence is '该告警第几次出现 / The alert''s occurrence it belongs to';
comment on column alert_transitions.happened_at is '发生时刻（TIMESTAMPTZ） / When it happened (a TIMESTAMPTZ instant)';

comment on table silences is '静默：在期限前不通知匹配的告警（同一规则，且学校、区域若有则相同） / Silences: alerts that match (same rule, and the school and region where given) are not notified until the silence ends';
comment on column silences.id is '静默编号 / Silence id';
comment on column silences.rule is '规则编号 / Rule id';
comment on column silences.school_id is '限定的学校标识码（为空则不限学校） / The school it is limited to (null: any school)';
comment on column silences.region_code is '限定的 6 位行政区划代码（为空则不限区域） / The region it is limited to (null: any region)';
comment on column silences.until is '静默截止时刻（TIMESTAMPTZ） / When the silence ends (a TIMESTAMPTZ instant)';
comment on column silences.reason is '静默原因 / Why it was silenced';
comment on column silences.created_at is '创建时刻（TIMESTAMPTZ） / When it was created (a TIMESTAMPTZ instant)';

comment on table held_alerts is '暂扣告警（DQ-ALERT-STORM）：一次规则运行超出上限而未打开的告警，待下次运行再次发现或运维放行（edumon alerts release） / Held alerts (DQ-ALERT-STORM): alerts a rule run would have opened beyond the configured bound, held until the rule''s next run finds them again or an operator releases them (edumon alerts release)';
comment on column held_alerts.rule is '规则编号 / Rule id';
comment on column held_alerts.school_id is '涉及学校的学校标识码（可空） / The 10-digit id of the school concerned (may be null)';
comment on column held_alerts.region_code is '涉及区域的 6 位行政区划代码（可空） / The 6-digit code of the region concerned (may be null)';
comment on column held_alerts.period is '期间：年份 YYYY 或月份 YYYY-MM，依规则而定 / Period: a year YYYY or a month YYYY-MM, as the rule says';
comment on column held_alerts.subject is '对象，依规则而定（可空） / Subject, as the rule says (may be null)';
comment on column held_alerts.observed is '观测值，文本 / The measured value, as text';
comment on column held_alerts.threshold is '限值，文本 / The limit, as text';
comment on column held_alerts.details is '证据（JSON） / The evidence (JSON)';
comment on column held_alerts.held_at is '暂扣它的运行所判断的时刻（TIMESTAMPTZ） / The moment the run that held it evaluated (a TIMESTAMPTZ instant)';

-- Notifications (issue 12): what each contact was told, and the emails.

comment on table notify_log is '通知记录：每位联系人最近被告知每条告警的情况，供通知策略判断何为新、何需提醒、何已解决 / Notify log: what each contact was last told of each alert, so the notification policy knows what is new, what to remind and what resolved since';
comment on column notify_log.alert_id is '告警编号（alerts.id） / The alert (alerts.id)';
comment on column notify_log.contact_id is '联系人编号（配置 notify.contacts） / The contact''s id (configuration notify.contacts)';
comment on column notify_log.occurrence is '联系人最近被告知的告警第几次出现 / The alert''s occurrence the contact was last told of';
comment on column notify_log.status is '联系人最近被告知的状态：`open` 未解决、`resolved` 已解决 / What the contact was last told it is: `open` or `resolved`';
comment on column notify_log.notified_at is '最近一次告知的时刻（打开、重新打开、提醒、升级、解决；TIMESTAMPTZ） / When the contact was last told (open, reopen, renotify, escalate, resolve; a TIMESTAMPTZ instant)';
comment on column notify_log.told_at is '首次告知本次出现的时刻（升级由此起算；TIMESTAMPTZ） / When the contact was first told of this occurrence (escalation counts from it; a TIMESTAMPTZ instant)';
comment on column notify_log.escalated is '是否作为升级联系人被告知 / Whether the contact was told as an escalation contact';

comment on table outbox is '发件箱：每封邮件每个收件人一行，与导致它的告警变迁同一事务写入；发件程序将其由待发送变为已发送、失败或未知 / Outbox: one row per email and recipient, written in the same transaction as the alert transitions that cause it; the mail sender moves it from pending to sent, failed or unknown';
comment on column outbox.id is '邮件编号（确定性），Message-ID 为 `<id@notify.messageIdDomain>` / Email id (deterministic); the Message-ID is `<id@notify.messageIdDomain>`';
comment on column outbox.message_id is '邮件的 Message-ID，重试时不变 / The email''s Message-ID, the same at every retry';
comment on column outbox.contact_id is '联系人编号（配置 notify.contacts） / The contact''s id (configuration notify.contacts)';
comment on column outbox.address is '唯一的信封收件人地址 / The one envelope recipient';
comment on column outbox.kind is '邮件类别：`alerts` 告警、`digest` 周报、`test` 测试 / Kind: `alerts`, `digest` or `test`';
comment on column outbox.subject is '邮件主题 / The email''s subject';
comment on column outbox.html is '邮件 HTML 正文 / The email''s HTML body';
comment on column outbox.text is '邮件纯文本正文 / The email''s plain-text body';
comment on column outbox.attachments is '附件（JSON：[{ filename, contentType, content }]） / Attachments (JSON: [{ filename, contentType, content }])';
comment on column outbox.alert_ids is '邮件列出的告警编号（JSON 数组） / The alerts the email lists (a JSON array of ids)';
comment on column outbox.created_at is '写入发件箱的时刻（TIMESTAMPTZ） / When it was put in the outbox (a TIMESTAMPTZ instant)';
comment on column outbox.state is '状态：`pending` 待发送、`sent` 已发送、`failed` 失败、`unknown` 结果未知 / State: `pending`, `sent`, `failed` or `unknown`';
comment on column outbox.attempts is '已尝试发送的次数 / How many SMTP attempts were made';
comment on column outbox.next_attempt_at is '下次尝试的时刻（TIMESTAMPTZ） / When the next attempt is due (a TIMESTAMPTZ instant)';
comment on column outbox.sent_at is 'SMTP 服务器接受的时刻（TIMESTAMPTZ，未发送为空） / When the SMTP server accepted it (a TIMESTAMPTZ instant; null until then)';
comment on column outbox.last_code is '最近一次 SMTP 回复码（传输错误为空） / The last SMTP reply code (null for a transport error)';
comment on column outbox.last_reply is '最近一次 SMTP 回复或传输错误 / The last SMTP reply or transport error';

comment on table outbox_attempts is '发送尝试：每封邮件的每次 SMTP 尝试及其结果 / Outbox attempts: every SMTP attempt of every email, with its outcome';
comment on column outbox_attempts.outbox_id is '邮件编号（outbox.id） / The email (outbox.id)';
comment on column outbox_attempts.attempted_at is '尝试时刻（TIMESTAMPTZ） / When it was attempted (a TIMESTAMPTZ instant)';
comment on column outbox_attempts.outcome is '结果：`sent` 已发送、`retry` 待重试、`failed` 失败、`unknown` 结果未知 / Outcome: `sent`, `retry`, `failed` or `unknown`';
comment on column outbox_attempts.code is 'SMTP 回复码（传输错误为空） / The SMTP reply code (null for a transport error)';
comment on column outbox_attempts.reply is 'SMTP 回复或传输错误 / The SMTP reply or the transport error';

-- The weekly digest.

comment on table digest_figures is '周报数据缓存：每个周末时刻算好的周报数据，所读数据未变时复用；只有按区域的汇总，无假名、无学校 / Digest figures: the weekly digest''s figures of each week-end, kept once computed while nothing they read has changed; aggregates per region only, no pseudonym, no school';
comment on column digest_figures.as_of is '周末时刻（TIMESTAMPTZ），数据截至此刻 / The week-end moment the figures are as of (a TIMESTAMPTZ instant)';
comment on column digest_figures.key is '数据 SQL 及其参数的 SHA-256 / The SHA-256 of the figures'' SQL and parameters';
comment on column digest_figures.events is '计算时发生于 as_of 之前（含）的已存事件数；迟到事件使其增加而触发重算 / How many stored events had occurred by as_of when computed; a late event raises it and the figures are recomputed';
comment on column digest_figures.rows is '按区域的数据行（JSON） / The figures'' rows per region (JSON)';
comment on column digest_figures.computed_at is '计算时刻（TIMESTAMPTZ） / When they were computed (a TIMESTAMPTZ instant)';

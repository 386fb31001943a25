/**
 * The event contract (v1, docs/contract.md) as zod schemas: the only place in the code where
 * event shapes are written. Everything else imports these schemas or the types inferred from them.
 * Unknown extra fields are stripped (the contract says they are ignored).
 */
import { z } from 'zod';
import { normalizeId, normalizePersonId, sciNotationProblem } from './normalizeId.ts';
import { type Family, type Feed, families, feeds } from './topics.ts';

export const MAX_MESSAGE_BYTES = 64 * 1024;

const twoDecimals = (n: number) => Math.abs(Math.round(n * 100) - n * 100) < 1e-6;

/**
 * A string identifier, normalised before any check (domain/normalizeId.ts: NFKC, trimmed, and for
 * person ids upper case) so that every spelling of one id validates, compares and pseudonymises
 * as one. A number in Excel's scientific notation is rejected: its digits are already lost.
 */
const identifier = (normalize: (s: string) => string) =>
  z
    .string()
    .overwrite(normalize)
    .check((ctx) => {
      const problem = sciNotationProblem(ctx.value);
      if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value, abort: true });
    });

export const eventId = identifier(normalizeId).min(1).max(64);
export const timestamp = z.iso.datetime({ offset: true, error: 'expected an ISO-8601 timestamp with offset' });
export const isoDate = z.iso.date({ error: 'expected a date YYYY-MM-DD' });
export const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected a month YYYY-MM');
export const regionCode = identifier(normalizeId).regex(/^\d{6}$/, 'expected a 6-digit region code');
export const townshipCode = identifier(normalizeId).regex(/^\d{9}$/, 'expected a 9-digit township code');
export const schoolId = identifier(normalizeId).regex(/^\d{10}$/, 'expected a 10-digit school id');
/** A class of a school (e.g. 2025级01班): case is kept, as schools may name classes A and a. */
export const classId = identifier(normalizeId).min(1).max(64);
/** 学籍号, ID card or payroll number: personal data, pseudonymised before storage. */
export const personId = identifier(normalizePersonId).min(1).max(64);
/**
 * Every numeric field is stored in a warehouse column of one of these types, and its schema's
 * bounds are the column's range or narrower: a value the contract accepts always fits its column
 * (sql/migrations/0001_events.sql; tests/unit/contractColumns.test.ts compares the two for every
 * numeric field of every event type). DECIMAL(14,2) holds 12 integer digits and 2 decimals.
 */
export const columnRanges = {
  TINYINT: { min: -128, max: 127 },
  SMALLINT: { min: -32_768, max: 32_767 },
  INTEGER: { min: -2_147_483_648, max: 2_147_483_647 },
  'DECIMAL(14,2)': { min: -999_999_999_999.99, max: 999_999_999_999.99 },
  DOUBLE: { min: -Number.MAX_VALUE, max: Number.MAX_VALUE },
} as const;
export type NumericColumn = keyof typeof columnRanges;

/** Which column type each numeric schema below is stored as (read by the column test). */
export const numericColumns = z.registry<{ column: NumericColumn }>();
function storedAs<T extends z.ZodNumber>(schema: T, column: NumericColumn): T {
  numericColumns.add(schema, { column });
  return schema;
}

/** A calendar year (SMALLINT). */
export const year = storedAs(z.number().int().min(1949).max(2100), 'SMALLINT');
/** Yuan, at most 2 decimals (DECIMAL(14,2): under a trillion yuan). */
export const money = storedAs(
  z.number().nonnegative().max(columnRanges['DECIMAL(14,2)'].max).refine(twoDecimals, 'expected yuan with at most 2 decimals'),
  'DECIMAL(14,2)',
);
/** A head count, place count or population (INTEGER). */
const count = storedAs(z.number().int().nonnegative().max(columnRanges.INTEGER.max), 'INTEGER');
/** An area in square metres (DOUBLE: any finite JSON number). */
const area = storedAs(z.number().nonnegative().max(columnRanges.DOUBLE.max), 'DOUBLE');

/** The value sets of the contract's enumerated fields; the simulator and the tests take their types from these. */
export const schoolLevel = z.enum(['kindergarten', 'high_school', 'vocational']);
export const ownership = z.enum(['public', 'private']);
export const schoolStatus = z.enum(['active', 'closed']);
export const staffRole = z.enum(['full_time_teacher', 'caregiver', 'preschool_researcher', 'other']);
export const employment = z.enum(['public_post', 'contract']);
export const admissionType = z.enum(['unified', 'quota_to_school', 'arts_special', 'sports_special', 'other']);
export const leaveReason = z.enum(['graduated', 'transferred', 'dropped_out', 'other']);
export const fundType = z.enum(['per_student_public_funds', 'puhui_subsidy', 'student_aid', 'facility', 'other']);
export type SchoolLevel = z.infer<typeof schoolLevel>;
export type Ownership = z.infer<typeof ownership>;
export type SchoolStatus = z.infer<typeof schoolStatus>;
export type StaffRole = z.infer<typeof staffRole>;
export type Employment = z.infer<typeof employment>;
export type AdmissionType = z.infer<typeof admissionType>;
export type FundType = z.infer<typeof fundType>;

const base = {
  event_id: eventId,
  occurred_at: timestamp,
  source: z.string().max(200).optional(),
};

const township_code_in_region = (e: { township_code?: string | undefined; region_code: string }) =>
  e.township_code === undefined || e.township_code.startsWith(e.region_code);
const townshipCheck = { message: 'must start with region_code', path: ['township_code'] };

export const schoolUpserted = z
  .object({
    ...base,
    type: z.literal('school.upserted'),
    school_id: schoolId,
    name: z.string().min(1).max(200),
    level: schoolLevel,
    ownership,
    region_code: regionCode,
    township_code: townshipCode.optional(),
    status: schoolStatus,
    licensed: z.boolean(),
    capacity: count,
    puhui: z.boolean().optional(),
    nonprofit: z.boolean().optional(),
    township_central: z.boolean().optional(),
    built_year: year.optional(),
    outdoor_play_area_m2: area.optional(),
    activity_room_area_m2: area.optional(),
    building_area_m2: area.optional(),
    opened_year: year.optional(),
    tuition_yuan_per_year: money.optional(),
    cost_per_student_yuan_per_year: money.optional(),
  })
  .refine(township_code_in_region, townshipCheck);

export const staffUpserted = z.object({
  ...base,
  type: z.literal('staff.upserted'),
  staff_id: personId,
  school_id: schoolId.optional(),
  region_code: regionCode,
  role: staffRole,
  employment,
  active: z.boolean(),
  monthly_wage_yuan: money,
});

export const townshipUpserted = z
  .object({
    ...base,
    type: z.literal('township.upserted'),
    township_code: townshipCode,
    region_code: regionCode,
    name: z.string().min(1).max(200),
    population: count,
  })
  .refine(township_code_in_region, townshipCheck);

export const populationReported = z.object({
  ...base,
  type: z.literal('population.reported'),
  region_code: regionCode,
  year,
  age_3_5: count,
  age_15_17: count,
});

export const admissionPlanPublished = z
  .object({
    ...base,
    type: z.literal('admission_plan.published'),
    school_id: schoolId,
    year,
    plan_quota: storedAs(z.number().int().positive().max(columnRanges.INTEGER.max), 'INTEGER'),
    window_opens_at: timestamp,
    window_closes_at: timestamp,
  })
  .refine((e) => Date.parse(e.window_opens_at) <= Date.parse(e.window_closes_at), {
    message: 'must not be before window_opens_at',
    path: ['window_closes_at'],
  });

export const admissionAdmitted = z.object({
  ...base,
  type: z.literal('admission.admitted'),
  school_id: schoolId,
  student_id: personId,
  year,
  home_region_code: regionCode,
  admission_type: admissionType,
});

export const admissionCancelled = z.object({
  ...base,
  type: z.literal('admission.cancelled'),
  school_id: schoolId,
  student_id: personId,
  year,
  reason: z.string().max(500).optional(),
});

export const enrollmentEnrolled = z.object({
  ...base,
  type: z.literal('enrollment.enrolled'),
  school_id: schoolId,
  student_id: personId,
  year,
  level: schoolLevel,
  grade: storedAs(z.number().int().min(1).max(3), 'TINYINT'),
  class_id: classId,
  home_region_code: regionCode,
  birth_date: isoDate.optional(),
});

export const enrollmentLeft = z.object({
  ...base,
  type: z.literal('enrollment.left'),
  school_id: schoolId,
  student_id: personId,
  reason: leaveReason,
});

export const fundsDisbursed = z.object({
  ...base,
  type: z.literal('funds.disbursed'),
  school_id: schoolId,
  fiscal_year: year,
  fund_type: fundType,
  amount_yuan: money,
});

export const wagePaid = z.object({
  ...base,
  type: z.literal('wage.paid'),
  school_id: schoolId,
  staff_id: personId,
  period: month,
  amount_yuan: money,
});

export const socialInsurancePaid = z.object({
  ...base,
  type: z.literal('social_insurance.paid'),
  school_id: schoolId,
  staff_id: personId,
  period: month,
  amount_yuan: money,
});

/** Every event type, by the topic family that carries it (every family of domain/topics.ts, each once). */
export const schemasByFamily = {
  registry: {
    'school.upserted': schoolUpserted,
    'staff.upserted': staffUpserted,
    'township.upserted': townshipUpserted,
    'population.reported': populationReported,
  },
  admission: { 'admission_plan.published': admissionPlanPublished, 'admission.admitted': admissionAdmitted, 'admission.cancelled': admissionCancelled },
  enrollment: { 'enrollment.enrolled': enrollmentEnrolled, 'enrollment.left': enrollmentLeft },
  funding: { 'funds.disbursed': fundsDisbursed, 'wage.paid': wagePaid, 'social_insurance.paid': socialInsurancePaid },
} as const satisfies Record<Family, Record<string, z.ZodType>>;

/** Every event type's schema, by type. */
export const eventSchemas = {
  ...schemasByFamily.registry,
  ...schemasByFamily.admission,
  ...schemasByFamily.enrollment,
  ...schemasByFamily.funding,
};

export type EventType = keyof typeof eventSchemas;
export const eventTypes = Object.keys(eventSchemas) as EventType[];

/** The contract event of a given type, as producers send it (raw personal identifiers included). */
export type ContractEvent<T extends EventType = EventType> = T extends EventType ? z.infer<(typeof eventSchemas)[T]> : never;

/** Which topic family carries a type. */
export const familyOf: Record<EventType, Family> = Object.fromEntries(families.flatMap((f) => Object.keys(schemasByFamily[f]).map((t) => [t, f]))) as Record<
  EventType,
  Family
>;

/** Every event type, by the feed it belongs to (every feed of core/config.ts, each type once). */
export const typesByFeed = {
  registry: ['school.upserted', 'staff.upserted', 'township.upserted', 'population.reported'],
  admission: ['admission_plan.published', 'admission.admitted', 'admission.cancelled'],
  enrollment: ['enrollment.enrolled', 'enrollment.left'],
  payroll: ['wage.paid', 'social_insurance.paid'],
  funds: ['funds.disbursed'],
} as const satisfies Record<Feed, readonly EventType[]>;

/** Which feed a type belongs to: whose watermark its events advance (alerts: rules judge as of what is known). */
export const feedOf: Record<EventType, Feed> = Object.fromEntries(feeds.flatMap((f) => typesByFeed[f].map((t) => [t, f]))) as Record<EventType, Feed>;

export function isEventType(t: unknown): t is EventType {
  return typeof t === 'string' && Object.hasOwn(eventSchemas, t);
}

/** The Kafka message key the contract prescribes: the event's school_id where it has one, else its region_code. */
export function messageKey(e: Record<string, unknown>): string {
  const key = e.school_id ?? e.region_code;
  return typeof key === 'string' ? key : '';
}

/** Fields that carry personal identifiers and are pseudonymised before storage. */
export const personalFields = ['student_id', 'staff_id'] as const;
export type PersonalField = (typeof personalFields)[number];

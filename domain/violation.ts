/**
 * The violation row, declared once: what a rule's SQL returns, what the alert lifecycle keys on,
 * and what the simulator's truth promises the rules will find.
 */
import { z } from 'zod';

/** The five fields that name a violation, stable from run to run: its identity. */
export const violationKeySchema = z.object({
  rule: z.string(),
  school_id: z.string().nullable(),
  region_code: z.string().nullable(),
  period: z.string(),
  subject: z.string().nullable(),
});
export type ViolationKey = z.infer<typeof violationKeySchema>;

/** One row of a rule's result: its identity, the measured value, the limit and the evidence. */
export const violationSchema = violationKeySchema.extend({
  observed: z.number().nullable(),
  threshold: z.number().nullable(),
  details: z.record(z.string(), z.unknown()),
});
export type Violation = z.infer<typeof violationSchema>;

/** The identity of a violation as one string (the same for the same five fields). */
export function identityOf(k: ViolationKey): string {
  return JSON.stringify([k.rule, k.school_id, k.region_code, k.period, k.subject]);
}

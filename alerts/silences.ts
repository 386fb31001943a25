/**
 * Silence matching, as a pure function of an alert, the silences and a moment: used by alert
 * listing today and by notification tomorrow. A silence (sql/migrations/0003_alerts.sql) mutes
 * one rule for one school, for one region, or everywhere, from its creation until `until`.
 */
import { z } from 'zod';
import { type ViolationKey, violationKeySchema } from '../domain/violation.ts';

/** A row of the silences table; times ISO 8601. */
export const silenceSchema = violationKeySchema.pick({ rule: true, school_id: true, region_code: true }).extend({
  id: z.string(),
  until: z.string(),
  reason: z.string(),
  created_at: z.string(),
});
export type Silence = z.infer<typeof silenceSchema>;

/** What a silence looks at in an alert. */
export type Silenceable = Pick<ViolationKey, 'rule' | 'school_id' | 'region_code'>;

/**
 * The first silence in force at `at` that matches the alert: same rule, and its school and its
 * region each either unset (any) or the alert's; in force from created_at until (excluded) `until`.
 */
export function activeSilence(alert: Silenceable, silences: readonly Silence[], at: Date): Silence | undefined {
  const t = at.getTime();
  return silences.find(
    (s) =>
      s.rule === alert.rule &&
      (s.school_id === null || s.school_id === alert.school_id) &&
      (s.region_code === null || s.region_code === alert.region_code) &&
      Date.parse(s.created_at) <= t &&
      t < Date.parse(s.until),
  );
}

/** Whether a silence in force at `at` matches the alert. */
export function isSilenced(alert: Silenceable, silences: readonly Silence[], at: Date): boolean {
  return activeSilence(alert, silences, at) !== undefined;
}

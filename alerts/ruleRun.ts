/**
 * The rule-run record, declared once: what a sweep reports of each rule it ran, and the row of
 * the rule_runs table (sql/migrations/0003_alerts.sql) that the applied run leaves behind.
 */
import { z } from 'zod';

/** One rule's run in a sweep. */
export const ruleRunSchema = z.object({
  rule: z.string(),
  rows: z.number().int(),
  /** The rule's own query; shared state it reads is timed in RulesResult.shared. */
  ms: z.number(),
  /** When the rule's query started (ISO 8601, UTC). */
  startedAt: z.string(),
  /**
   * The moment the rule judged (ISO 8601, UTC, to the millisecond when it has some): the earliest of the sweep’s
   * requested moment and its feeds' watermarks (alerts/feedWatermarks.ts).
   */
  effectiveAsOf: z.string(),
  /** The feed whose watermark held the rule back before the requested moment, if one did. */
  heldBy: z.string().nullable(),
  /** The rule's feeds with nothing stored (nothing is known of them; the scheduler does not run it). */
  emptyFeeds: z.array(z.string()),
  /**
   * A dry run judged as asked (runRules asRequested): the rule's feeds whose last stored event is
   * earlier than the moment judged by more than their allowed lateness, with that event's moment (ISO 8601, UTC).
   */
  quietFeeds: z.array(z.object({ feed: z.string(), lastEventAt: z.string() })).optional(),
  error: z.string().optional(),
});
export type RuleRun = z.infer<typeof ruleRunSchema>;

/** A row of rule_runs: a recorded run, failed ones too (DQ-RULE-FAILED and the scheduler read these). */
export const ruleRunRowSchema = z.object({
  rule: z.string(),
  as_of: z.string(),
  effective_as_of: z.string(),
  started_at: z.string(),
  duration_ms: z.number().int(),
  rows_found: z.number().int().nullable(),
  ok: z.boolean(),
  error: z.string().nullable(),
});
export type RuleRunRow = z.infer<typeof ruleRunRowSchema>;

/** The rule_runs row of a run of the sweep as of `asOf` (requested; a failed run found no rows). */
export function ruleRunRow(run: RuleRun, asOf: string): RuleRunRow {
  return {
    rule: run.rule,
    as_of: asOf,
    effective_as_of: run.effectiveAsOf,
    started_at: run.startedAt,
    duration_ms: run.ms,
    rows_found: run.error ? null : run.rows,
    ok: !run.error,
    error: run.error ?? null,
  };
}

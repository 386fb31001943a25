/** A rule sweep as of a given moment with its notifications composed in its transaction, as `edumon run` does but on the test's clock. */
import type { DuckDBConnection } from '@duckdb/node-api';
import { expect } from 'vitest';
import { applyRules } from '../../alerts/applyRules.ts';
import { noWatermarks } from '../../alerts/feedWatermarks.ts';
import { notifyRound } from '../../alerts/notify/notifyRound.ts';
import type { Rule } from '../../alerts/rules.ts';
import type { Config } from '../../core/config.ts';

/** Sweeps `rules` as of `at` (ISO 8601 with offset), composing their emails in the sweep's transaction; fails the test if a rule errs. */
export async function sweepWithNotices(conn: DuckDBConnection, config: Config, rules: readonly Rule[], at: string): Promise<void> {
  const sweepResult = await applyRules(conn, rules, {
    config,
    asOf: at,
    watermarks: noWatermarks(),
    step: async (c) => {
      await notifyRound(
        c,
        config,
        rules.map((r) => r.id),
        new Date(at),
      );
    },
  });
  for (const r of sweepResult.runs) expect(r.error, r.rule).toBeUndefined();
}

/**
 * `edumon alerts release --rule ID`: an operator lets through what the storm valve held for a rule
 * (alerts/alertStorm.ts): the held alerts open (or reopen), the rule's DQ-ALERT-STORM resolves,
 * and nothing stays held. One transaction; no run is recorded.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { inTransaction } from '../core/db.ts';
import { UsageError } from '../core/errors.ts';
import { loadAlertStates, loadHeld, replaceHeld, writeTransitions } from './alertStore.ts';
import { ALERT_STORM, ALERT_STORM_SEVERITY } from './alertStorm.ts';
import { type AlertTransition, evaluate, transitionsMade } from './evaluate.ts';
import type { Rule } from './rules.ts';

/** Releases what is held for `rule` as of `at` (ISO 8601); nothing held is a usage error. Returns the transitions made. */
export async function releaseHeld(conn: DuckDBConnection, rule: Rule, at: string): Promise<AlertTransition[]> {
  return inTransaction(conn, async () => {
    const held = await loadHeld(conn, rule.id);
    if (!held.length) throw new UsageError(`alerts release: nothing is held for ${rule.id} (see edumon alerts list --rule ${ALERT_STORM})`);
    const own = await loadAlertStates(conn, rule.id);
    // Only the opens: an open alert the held ones do not name is the rule runs' to resolve.
    const opens = evaluate(own, held, at).filter((t) => t.kind === 'open' || t.kind === 'reopen');
    const storm = (await loadAlertStates(conn, ALERT_STORM)).filter((a) => a.subject === rule.id);
    const resolves = evaluate(storm, [], at);
    await writeTransitions(conn, rule.severity, opens);
    await writeTransitions(conn, ALERT_STORM_SEVERITY, resolves);
    await replaceHeld(conn, rule.id, [], at);
    return [...transitionsMade(own, opens, rule.severity), ...transitionsMade(storm, resolves, ALERT_STORM_SEVERITY)];
  });
}

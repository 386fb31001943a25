/**
 * Alerts written straight into a migrated warehouse, with their occurrences and acknowledgements, as
 * the rule runs and `ackAlert` leave them: for the tests of what officials judged (issue 23,
 * alerts/ruleQuality.ts) without running rules.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { AckOutcome } from '../../alerts/alertStore.ts';

/** One occurrence: when it opened (ISO 8601), and its acknowledgements as hours after that with their outcome (null: none given). */
export interface AckedOccurrence {
  opened: string;
  acks?: Array<[hours: number, outcome: AckOutcome | null]>;
}

/**
 * One alert: a transition per occurrence (open, then reopen), every acknowledgement in alert_acks,
 * and the alerts row holding the last occurrence with its latest acknowledgement, as
 * sql/alerts/ack_alert.sql leaves it.
 */
export async function writeAckedAlert(conn: DuckDBConnection, id: string, rule: string, region: string | null, occurrences: AckedOccurrence[]): Promise<void> {
  const after = (iso: string, hours: number) => new Date(Date.parse(iso) + hours * 3_600_000).toISOString();
  for (const [i, o] of occurrences.entries()) {
    await conn.run('insert into alert_transitions values ($id, $kind, $n, $at::timestamptz)', {
      id,
      kind: i === 0 ? 'open' : 'reopen',
      n: i + 1,
      at: o.opened,
    });
    for (const [hours, outcome] of o.acks ?? [])
      await conn.run(`insert into alert_acks values ($id, $n, $at::timestamptz, 'county1', $outcome::varchar, null)`, {
        id,
        n: i + 1,
        at: after(o.opened, hours),
        outcome,
      });
  }
  const last = occurrences[occurrences.length - 1]!;
  const ack = last.acks?.[last.acks.length - 1];
  await conn.run(
    `insert into alerts (id, rule, school_id, region_code, period, severity, status, occurrence, opened_at, last_seen_at, acked_at, ack_outcome, acked_by)
     values ($id, $rule, null, $region::varchar, '2025', 'critical', 'open', $n, $opened::timestamptz, $opened::timestamptz, $acked::timestamptz, $outcome::varchar, $by::varchar)`,
    {
      id,
      rule,
      region,
      n: occurrences.length,
      opened: last.opened,
      acked: ack ? after(last.opened, ack[0]) : null,
      outcome: ack ? ack[1] : null,
      by: ack ? 'county1' : null,
    },
  );
}

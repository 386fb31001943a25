/**
 * Who has and has not been told of each alert (`edumon notify list --alerts`): for every open
 * alert, and every resolved one some contact was told is open, the contacts routing gives it,
 * split into those told (a server accepted the email: notify_log) and those not, each with why
 * (its email pending, of unknown outcome, failed, held, or not composed yet: muted, silenced).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Config } from '../../core/config.ts';
import { sqlStatements } from '../../core/sqlStatements.ts';
import { loadNotifyCandidates, loadNotifyLog } from './notifyStore.ts';
import { recipientsOf } from './route.ts';

const SQL = sqlStatements('alerts', ['notify_notice_states']);

/** The columns of `edumon notify list --alerts`, in its order. */
export const TOLD_LIST_COLUMNS = ['alert_id', 'rule', 'severity', 'status', 'told', 'not_told'];

/**
 * The listing as columns and rows, one per alert: `told` and `not_told` are contact ids joined
 * by `, `, each of not_told with its email's state in parentheses (`未发 not composed` when none).
 */
export async function listTold(conn: DuckDBConnection, notify: Config['notify'], now: Date): Promise<{ columns: string[]; rows: unknown[][] }> {
  const alerts = await loadNotifyCandidates(conn, null, now.toISOString());
  const log = new Map((await loadNotifyLog(conn, null)).map((e) => [`${e.alert_id}\u0000${e.contact_id}`, e]));
  const states = new Map(
    (await conn.runAndReadAll(SQL.notify_notice_states))
      .getRows()
      .map(([alert, contact, state]) => [`${String(alert)}\u0000${String(contact)}`, String(state)]),
  );
  const rows = alerts.map((a) => {
    const told: string[] = [];
    const notTold: string[] = [];
    for (const r of recipientsOf(a, notify)) {
      const key = `${a.id}\u0000${r.contact.id}`;
      const e = log.get(key);
      if (e && e.occurrence === a.occurrence) told.push(r.contact.id);
      else notTold.push(`${r.contact.id}（${states.get(key) ?? '未发 not composed'}）`);
    }
    return [a.id, a.rule, a.severity, a.status, told.join(', '), notTold.join(', ')];
  });
  return { columns: TOLD_LIST_COLUMNS, rows };
}

/**
 * What `edumon alerts` does to the warehouse: list alerts, acknowledge one, silence a rule (for a
 * school or a region) until a moment, release what the storm valve held for a rule. One request
 * shape for the CLI and the service's /alerts route.
 */
import { randomUUID } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import { UsageError } from '../core/errors.ts';
import { formatShanghai, timeOption } from '../core/shanghai.ts';
import { type AckOutcome, ackAlert, insertSilence, listAlerts, loadSilences } from './alertStore.ts';
import { releaseHeld } from './releaseHeld.ts';
import { ruleById } from './rules.ts';
import { isSilenced } from './silences.ts';

export type AlertsRequest =
  | { action: 'list'; state?: string; region?: string; rule?: string }
  | { action: 'ack'; id: string; note?: string; outcome?: AckOutcome; by?: string; at?: string }
  | { action: 'silence'; rule: string; school?: string; region?: string; until: string; reason: string; at?: string }
  | { action: 'release'; rule: string; at?: string };
// ack: `by` is who (a console login; `cli` when unset). `at`: when it is done (ack, release) or in
// force from (silence); now when unset. The console passes the service's clock, a test's controlled one included.

export interface AlertsAnswer {
  columns: string[];
  rows: unknown[][];
}

const LIST_COLUMNS = [
  'id',
  'rule',
  'severity',
  'status',
  'school_id',
  'region_code',
  'period',
  'subject',
  'observed',
  'threshold',
  'opened_at',
  'last_seen_at',
  'resolved_at',
  'acked_at',
  'ack_note',
  'silenced',
];

/** Carries out one request; a bad state, an unknown alert or an unreadable time is a usage error. */
export async function alertsRequest(conn: DuckDBConnection, req: AlertsRequest): Promise<AlertsAnswer> {
  if (req.action === 'list') {
    if (req.state && req.state !== 'open' && req.state !== 'resolved') throw new UsageError(`alerts: --state is open or resolved, not '${req.state}'`);
    const rows = await listAlerts(conn, req);
    const silences = await loadSilences(conn);
    const now = new Date();
    const listed = rows.map((r): Record<string, unknown> => ({ ...r, silenced: isSilenced(r, silences, now) }));
    return { columns: LIST_COLUMNS, rows: listed.map((r) => LIST_COLUMNS.map((c) => r[c] ?? null)) };
  }
  if (req.action === 'ack') {
    const ack = { note: req.note ?? null, outcome: req.outcome ?? null, by: req.by ?? 'cli', at: req.at ?? new Date().toISOString() };
    if (!(await ackAlert(conn, req.id, ack))) throw new UsageError(`alerts: no alert '${req.id}' (see edumon alerts list)`);
    return { columns: ['id', 'acked'], rows: [[req.id, true]] };
  }
  if (req.action === 'release') {
    const made = await releaseHeld(conn, ruleById(req.rule), req.at ?? new Date().toISOString());
    return {
      columns: ['kind', 'id', 'rule', 'school_id', 'region_code', 'period', 'subject'],
      rows: made.map((t) => [t.kind, t.alert.id, t.alert.rule, t.alert.school_id, t.alert.region_code, t.alert.period, t.alert.subject]),
    };
  }
  if (req.school && req.region) throw new UsageError('alerts silence: give --school or --region, not both');
  ruleById(req.rule);
  const until = timeOption('alerts silence: --until', req.until);
  if (!req.reason.trim()) throw new UsageError('alerts silence: --reason must say why');
  const id = randomUUID().slice(0, 8);
  await insertSilence(conn, {
    id,
    rule: req.rule,
    school_id: req.school ?? null,
    region_code: req.region ?? null,
    until: until.toISOString(),
    reason: req.reason,
    ...(req.at ? { created_at: req.at } : {}),
  });
  return {
    columns: ['id', 'rule', 'school_id', 'region_code', 'until'],
    rows: [[id, req.rule, req.school ?? null, req.region ?? null, formatShanghai(until)]],
  };
}

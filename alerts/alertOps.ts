/**
 * What `edumon alerts` does to the warehouse: list alerts, acknowledge one, silence a rule (for a
 * school or a region) until a moment. One request shape for the CLI and the service's /alerts route.
 */
import { randomUUID } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import { UsageError } from '../core/errors.ts';
import { formatShanghai, timeOption } from '../core/shanghai.ts';
import { ruleById } from './rules.ts';

export type AlertsRequest =
  | { action: 'list'; state?: string; region?: string; rule?: string }
  | { action: 'ack'; id: string; note?: string }
  | { action: 'silence'; rule: string; school?: string; region?: string; until: string; reason: string };

export interface AlertsAnswer {
  columns: string[];
  rows: unknown[][];
}

const LIST_COLUMNS = ['id', 'rule', 'severity', 'status', 'school_id', 'region_code', 'period', 'subject', 'observed', 'threshold', 'opened_at', 'last_seen_at', 'resolved_at', 'acked_at', 'ack_note', 'silenced'];
// Shown to people: Asia/Shanghai with its offset, computed in SQL so the host's TZ plays no part.
const ts = (col: string) => `strftime(timezone('Asia/Shanghai', a.${col}), '%Y-%m-%dT%H:%M:%S+08:00') as ${col}`;

/** Carries out one request; a bad state, an unknown alert or an unreadable time is a usage error. */
export async function alertsRequest(conn: DuckDBConnection, req: AlertsRequest): Promise<AlertsAnswer> {
  if (req.action === 'list') {
    if (req.state && req.state !== 'open' && req.state !== 'resolved') throw new UsageError(`alerts: --state is open or resolved, not '${req.state}'`);
    const where: string[] = [];
    const params: Record<string, string> = {};
    if (req.state) (where.push('a.status = $state'), (params.state = req.state));
    if (req.region) (where.push('a.region_code = $region'), (params.region = req.region));
    if (req.rule) (where.push('a.rule = $rule'), (params.rule = req.rule));
    const reader = await conn.runAndReadAll(
      `select a.id, a.rule, a.severity, a.status, a.school_id, a.region_code, a.period, a.subject, a.observed, a.threshold,
              ${['opened_at', 'last_seen_at', 'resolved_at', 'acked_at'].map(ts).join(', ')},
              a.ack_note,
              exists (select 1 from silences s where s.rule = a.rule and s.until > now()
                        and (s.school_id is null or s.school_id = a.school_id)
                        and (s.region_code is null or s.region_code = a.region_code)) as silenced
       from alerts a ${where.length ? `where ${where.join(' and ')}` : ''}
       order by a.status, a.opened_at desc, a.id`,
      params,
    );
    const rows = reader.getRowObjectsJson();
    return { columns: LIST_COLUMNS, rows: rows.map((r) => LIST_COLUMNS.map((c) => r[c] ?? null)) };
  }
  if (req.action === 'ack') {
    const reader = await conn.runAndReadAll(`update alerts set acked_at = now(), ack_note = $note where id = $id returning id`, { id: req.id, note: req.note ?? null });
    if (reader.getRows().length === 0) throw new UsageError(`alerts: no alert '${req.id}' (see edumon alerts list)`);
    return { columns: ['id', 'acked'], rows: [[req.id, true]] };
  }
  if (req.school && req.region) throw new UsageError('alerts silence: give --school or --region, not both');
  ruleById(req.rule);
  const until = timeOption('alerts silence: --until', req.until);
  if (!req.reason.trim()) throw new UsageError('alerts silence: --reason must say why');
  const id = randomUUID().slice(0, 8);
  await conn.run(`insert into silences values ($id, $rule, $school, $region, $until::timestamptz, $reason, now())`, {
    id, rule: req.rule, school: req.school ?? null, region: req.region ?? null, until: until.toISOString(), reason: req.reason,
  });
  return { columns: ['id', 'rule', 'school_id', 'region_code', 'until'], rows: [[id, req.rule, req.school ?? null, req.region ?? null, formatShanghai(until)]] };
}

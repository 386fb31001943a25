/**
 * The alerts board's data (issue 23, part 2): one page of the alerts a user may see, filtered, with
 * counts by rule, region and state. Scope is applied in SQL (roles.ts alertScopeOf), so an
 * alert outside it is never read, let alone shown.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlText } from '../../core/db.ts';
import { runPrepared } from '../../core/preparedStatements.ts';
import { type AlertScope, alertScopeOf, type ConsoleUser } from './roles.ts';

const SCOPED = sqlText('console/board_scoped');
const PAGE_SQL = `${SCOPED}\n${sqlText('console/board_page')}`;
const COUNTS_SQL = `${SCOPED}\n${sqlText('console/board_counts')}`;
const VALID_UNTIL_SQL = sqlText('console/board_valid_until');

export const boardStates = ['open', 'acked', 'silenced', 'resolved'] as const;
export type BoardState = (typeof boardStates)[number];

/** The board's filters, as its form sends them; each unset means any. */
export interface BoardFilter {
  state?: BoardState;
  region?: string;
  rule?: string;
  severity?: string;
  /** A school code, or part of its registered name. */
  school?: string;
  /** Opened at or after / before these instants (ISO 8601). */
  from?: string;
  to?: string;
}

/** One alert as a board row shows it (times ISO 8601 UTC). */
export interface BoardRow {
  id: string;
  rule: string;
  severity: string;
  status: string;
  state: BoardState;
  school_id: string | null;
  region_code: string | null;
  period: string;
  subject: string | null;
  observed: string | null;
  threshold: string | null;
  opened_at: string;
  resolved_at: string | null;
  acked_at: string | null;
  ack_outcome: string | null;
  occurrence: number;
}

export interface BoardCount {
  rule: string;
  region_code: string | null;
  state: BoardState;
  n: number;
}

function params(scope: AlertScope, filter: BoardFilter, now: Date) {
  return {
    scope: scope.kind,
    regions: JSON.stringify(scope.kind === 'regions' ? scope.regions : []),
    now: now.toISOString(),
    state: filter.state ?? null,
    region: filter.region ?? null,
    rule: filter.rule ?? null,
    severity: filter.severity ?? null,
    school: filter.school ?? null,
    from: filter.from ?? null,
    to: filter.to ?? null,
  };
}

/** One page (`limit` rows from `offset`) of what `user` may see under `filter`, and how many there are in all. */
export async function boardPage(
  conn: DuckDBConnection,
  user: ConsoleUser,
  filter: BoardFilter,
  now: Date,
  limit: number,
  offset: number,
): Promise<{ rows: BoardRow[]; total: number }> {
  const rows = (await runPrepared(conn, PAGE_SQL, { ...params(alertScopeOf(user), filter, now), limit, offset })).getRowObjectsJson();
  const total = rows.length ? Number(rows[0]!.total) : 0;
  return { rows: rows.map((r) => ({ ...r, occurrence: Number(r.occurrence) }) as unknown as BoardRow), total };
}

/** Counts by rule, region and state of what `user` may see under `filter`. */
export async function boardCounts(conn: DuckDBConnection, user: ConsoleUser, filter: BoardFilter, now: Date): Promise<BoardCount[]> {
  const rows = (await runPrepared(conn, COUNTS_SQL, params(alertScopeOf(user), filter, now))).getRowObjectsJson();
  return rows.map((r) => ({ rule: String(r.rule), region_code: (r.region_code as string | null) ?? null, state: r.state as BoardState, n: Number(r.n) }));
}

/** The next moment (epoch ms) after `now` a silence starts or ends, when the board changes with nothing written; Infinity if none. */
export async function boardValidUntil(conn: DuckDBConnection, now: Date): Promise<number> {
  const until = (await runPrepared(conn, VALID_UNTIL_SQL, { now: now.toISOString() })).getRows()[0]?.[0];
  return until === null || until === undefined ? Number.POSITIVE_INFINITY : Number(until);
}

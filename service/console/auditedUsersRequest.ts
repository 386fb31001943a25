/**
 * A change to the console's users, written to the audit trail (console_audit) in the same turn on
 * the same connection: `edumon users` (user `cli`, through the service or on the warehouse file)
 * and the admin pages (the admin's login). Listing changes nothing and is not audited.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { messageOf, UsageError } from '../../core/errors.ts';
import { sqlStatements } from '../../core/sqlStatements.ts';
import { type UsersAnswer, type UsersRequest, usersRequest } from './userStore.ts';

const SQL = sqlStatements('console', ['audit_insert']);

/** Who asks for a users change: a console login or `cli`, and the address the request came from (null: the command line). */
export interface UsersActor {
  user: string;
  address: string | null;
}

/** The user id audit rows of `edumon users` carry. */
export const CLI_USER = 'cli';

/**
 * Carries out `req` (service/console/userStore.ts usersRequest) and, unless it only lists, audits
 * it: action `users add|passwd|disable|scope`, target the login, outcome `ok`, or `refused` with
 * the reason when it raised a UsageError (an unknown login, a bad role...), `failed` for any other
 * error. The detail names the role and regions set, or whether a password was generated; never a
 * password. Resolves to usersRequest's answer; rethrows its error after auditing it.
 */
export async function auditedUsersRequest(conn: DuckDBConnection, req: UsersRequest, by: UsersActor, now = new Date()): Promise<UsersAnswer> {
  if (req.action === 'list') return usersRequest(conn, req, now);
  const audit = (outcome: 'ok' | 'refused' | 'failed', detail: string) =>
    conn.run(SQL.audit_insert, {
      at: now.toISOString(),
      user_id: by.user,
      action: `users ${req.action}`,
      target: req.id.slice(0, 100),
      outcome,
      address: by.address,
      detail: detail.slice(0, 500),
    });
  let answer: UsersAnswer;
  try {
    answer = await usersRequest(conn, req, now);
  } catch (err) {
    await audit(err instanceof UsageError ? 'refused' : 'failed', messageOf(err));
    throw err;
  }
  await audit('ok', detailOf(req));
  return answer;
}

/** What an audit row says of a change that was made. */
function detailOf(req: Exclude<UsersRequest, { action: 'list' }>): string {
  const scope = (role: string, regions: readonly string[] | undefined) => `role ${role}${regions?.length ? `, regions ${regions.join(',')}` : ''}`;
  const password = (given: string | undefined) => (given === undefined ? 'password generated' : 'password given');
  switch (req.action) {
    case 'add':
      return `${scope(req.role, req.regions)}; ${password(req.password)}`;
    case 'passwd':
      return `${password(req.password)}; sessions ended, account unlocked`;
    case 'disable':
      return req.enable ? 'enabled' : 'disabled; sessions ended';
    case 'scope':
      return `${scope(req.role, req.regions)}; sessions ended`;
  }
}

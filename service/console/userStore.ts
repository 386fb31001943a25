/**
 * Console users in the warehouse (console_users): `edumon users add|list|passwd|disable|scope`,
 * through the service when it runs (POST /users) or on the warehouse file. Passwords are hashed
 * (service/console/passwords.ts); the hash never leaves this file. Setting a password or disabling
 * an account ends its sessions.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { inTransaction } from '../../core/db.ts';
import { UsageError } from '../../core/errors.ts';
import { formatShanghai } from '../../core/shanghai.ts';
import { sqlStatements } from '../../core/sqlStatements.ts';
import { generatePassword, hashPassword } from './passwords.ts';
import { type ConsoleUser, type Role, scopeProblem } from './roles.ts';

const SQL = sqlStatements('console', [
  'user_get',
  'user_insert',
  'user_list',
  'user_set_password',
  'user_set_disabled',
  'user_set_scope',
  'session_delete_user',
]);

/** A stored user, with what login needs (never shown). */
export interface StoredUser extends ConsoleUser {
  passwordHash: string;
  disabled: boolean;
  failedLogins: number;
  lockedUntil: string | null;
}

export type UsersRequest =
  | { action: 'add'; id: string; name: string; role: string; regions?: string[]; password?: string }
  | { action: 'list' }
  | { action: 'passwd'; id: string; password?: string }
  | { action: 'disable'; id: string; enable?: boolean }
  | { action: 'scope'; id: string; role: string; regions?: string[] };

export interface UsersAnswer {
  columns: string[];
  rows: unknown[][];
}

const LOGIN = /^[a-z0-9][a-z0-9._-]{1,63}$/;

/** The user with login `id`, or null. */
export async function getUser(conn: DuckDBConnection, id: string): Promise<StoredUser | null> {
  const row = (await conn.runAndReadAll(SQL.user_get, { id })).getRowObjectsJson()[0];
  if (!row) return null;
  return {
    id: String(row.id),
    name: String(row.name),
    role: row.role as Role,
    regions: (row.regions as string[] | null) ?? [],
    passwordHash: String(row.password_hash),
    disabled: row.disabled === true,
    failedLogins: Number(row.failed_logins),
    lockedUntil: (row.locked_until as string | null) ?? null,
  };
}

/**
 * Carries out one `edumon users` request. A password not given is generated and shown once in the
 * answer (column `password`). Raises UsageError for a bad login, role, region, a short password,
 * an existing login (add) or an unknown one.
 */
export async function usersRequest(conn: DuckDBConnection, req: UsersRequest, now = new Date()): Promise<UsersAnswer> {
  const at = now.toISOString();
  if (req.action === 'list') {
    const rows = (await conn.runAndReadAll(SQL.user_list)).getRowObjectsJson();
    return {
      columns: ['id', 'name', 'role', 'regions', 'disabled', 'locked_until', 'password_changed_at'],
      rows: rows.map((r) => [
        r.id,
        r.name,
        r.role,
        ((r.regions as string[] | null) ?? []).join(','),
        r.disabled,
        r.locked_until ? formatShanghai(String(r.locked_until)) : null,
        formatShanghai(String(r.password_changed_at)),
      ]),
    };
  }
  if (req.action === 'add') {
    if (!LOGIN.test(req.id))
      throw new UsageError(`users add: '${req.id}' is not a login: 2-64 lower-case letters, digits, . _ - / 登录名只能用小写字母、数字与 . _ -`);
    if (!req.name.trim()) throw new UsageError('users add: give --name');
    const regions = req.regions ?? [];
    const problem = scopeProblem(req.role, regions);
    if (problem) throw new UsageError(`users add: ${problem}`);
    if (await getUser(conn, req.id)) throw new UsageError(`users add: 用户 ${req.id} 已存在 / there is already a user '${req.id}'`);
    const password = req.password ?? generatePassword();
    const hash = await hashPassword(password);
    await conn.run(SQL.user_insert, { id: req.id, name: req.name.trim(), role: req.role, regions: JSON.stringify(regions), hash, at });
    return { columns: ['id', 'role', 'regions', 'password'], rows: [[req.id, req.role, regions.join(','), req.password ? '(as given)' : password]] };
  }
  const known = async (id: string, sql: string, params: Record<string, string | boolean>) => {
    const done = await inTransaction(conn, async () => {
      const rows = (await conn.runAndReadAll(sql, { id, ...params })).getRows();
      if (rows.length) await conn.run(SQL.session_delete_user, { user_id: id });
      return rows.length > 0;
    });
    if (!done) throw new UsageError(`users ${req.action}: 没有用户 ${id} / no user '${id}' (see edumon users list)`);
  };
  if (req.action === 'passwd') {
    const password = req.password ?? generatePassword();
    await known(req.id, SQL.user_set_password, { hash: await hashPassword(password), at });
    return { columns: ['id', 'password'], rows: [[req.id, req.password ? '(as given)' : password]] };
  }
  if (req.action === 'disable') {
    await known(req.id, SQL.user_set_disabled, { disabled: req.enable !== true });
    return { columns: ['id', 'disabled'], rows: [[req.id, req.enable !== true]] };
  }
  const regions = req.regions ?? [];
  const problem = scopeProblem(req.role, regions);
  if (problem) throw new UsageError(`users scope: ${problem}`);
  await known(req.id, SQL.user_set_scope, { role: req.role, regions: JSON.stringify(regions) });
  return { columns: ['id', 'role', 'regions'], rows: [[req.id, req.role, regions.join(',')]] };
}

/**
 * Logging in and out, and who a request is (issue 23, part 1). Sessions: a random 32-byte cookie
 * value, of which the warehouse keeps only the SHA-256 (console_sessions), ended after
 * sessionIdleMinutes unused or sessionMaxHours after login, and made anew at every login (no
 * session fixation). Each session carries the CSRF token its forms must send back. Wrong passwords
 * lock the account after lockAfterFailures in a row for lockMinutes; an address with
 * addressMaxFailures wrong passwords within lockMinutes is refused for lockMinutes (kept in
 * memory: a restart forgives it, the account locks stay).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Config } from '../../core/config.ts';
import { runPrepared } from '../../core/preparedStatements.ts';
import { sqlStatements } from '../../core/sqlStatements.ts';
import type { ConsoleDb } from './consoleDb.ts';
import { verifyPassword } from './passwords.ts';
import type { ConsoleUser, Role } from './roles.ts';
import { getUser } from './userStore.ts';

const SQL = sqlStatements('console', [
  'user_login_failed',
  'user_login_ok',
  'session_insert',
  'session_get',
  'session_touch',
  'session_delete',
  'session_delete_expired',
  'audit_insert',
]);

/** The settings login reads (config.console). */
export type AuthSettings = Pick<Config['console'], 'sessionIdleMinutes' | 'sessionMaxHours' | 'lockAfterFailures' | 'lockMinutes' | 'addressMaxFailures'>;

/** A signed-in request's session: the user and the CSRF token its forms carry. */
export interface Session {
  idHash: string;
  user: ConsoleUser;
  csrf: string;
}

export type LoginResult =
  | { ok: true; cookie: string; session: Session }
  | { ok: false; reason: 'wrong' | 'locked' | 'addressLocked' | 'disabled'; until?: string };

/** One row of the audit trail: who (null: nobody signed in), what, on what, with what outcome, from where. */
export interface AuditEntry {
  user: string | null;
  action: string;
  target?: string | null;
  outcome: 'ok' | 'refused' | 'failed';
  address: string | null;
  detail?: string | null;
}

const MINUTE = 60_000;
/** A session's last use is written at most this often: idle expiry is to the minute. */
const TOUCH_EVERY_MS = MINUTE;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Sign-in, sessions and the audit trail over the console's connections; `now` is the service's clock. */
export function createAuth(db: ConsoleDb, settings: AuthSettings, now: () => Date = () => new Date()) {
  /** Wrong passwords per address: their times, within lockMinutes. */
  const addressFailures = new Map<string, number[]>();
  const lockMs = settings.lockMinutes * MINUTE;

  const audit = (e: AuditEntry) =>
    db.write((conn) =>
      conn.run(SQL.audit_insert, {
        at: now().toISOString(),
        user_id: e.user,
        action: e.action,
        target: e.target ?? null,
        outcome: e.outcome,
        address: e.address,
        detail: e.detail ?? null,
      }),
    );

  const recentFailures = (address: string, t: number) => (addressFailures.get(address) ?? []).filter((x) => t - x < lockMs);

  return {
    audit,

    /**
     * Checks a login; on success opens a new session (the cookie value to set is returned once) and
     * clears the account's failure count. Every attempt is audited, the password never.
     */
    async login(id: string, password: string, address: string): Promise<LoginResult> {
      const t = now().getTime();
      const fromHere = recentFailures(address, t);
      if (fromHere.length >= settings.addressMaxFailures) {
        const until = new Date(Math.min(...fromHere) + lockMs).toISOString();
        await audit({ user: null, action: 'login', target: id, outcome: 'refused', address, detail: 'address locked' });
        return { ok: false, reason: 'addressLocked', until };
      }
      const user = await db.read((c) => getUser(c, id));
      if (user?.lockedUntil && Date.parse(user.lockedUntil) > t) {
        await audit({ user: null, action: 'login', target: id, outcome: 'refused', address, detail: 'account locked' });
        return { ok: false, reason: 'locked', until: user.lockedUntil };
      }
      // An unknown login costs a hash too, so timing does not tell which logins exist.
      const right = await verifyPassword(
        password,
        user?.passwordHash ?? 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
      );
      if (!user || !right) {
        addressFailures.set(address, [...fromHere, t]);
        let lockedUntil: string | null = null;
        if (user) {
          const row = (
            await db.write((c) => c.runAndReadAll(SQL.user_login_failed, { id, max: settings.lockAfterFailures, until: new Date(t + lockMs).toISOString() }))
          ).getRowObjectsJson()[0];
          lockedUntil = (row?.locked_until as string | null) ?? null;
        }
        await audit({
          user: null,
          action: 'login',
          target: id,
          outcome: 'refused',
          address,
          detail: lockedUntil ? 'wrong password; account now locked' : 'wrong password',
        });
        return lockedUntil ? { ok: false, reason: 'locked', until: lockedUntil } : { ok: false, reason: 'wrong' };
      }
      if (user.disabled) {
        await audit({ user: null, action: 'login', target: id, outcome: 'refused', address, detail: 'account disabled' });
        return { ok: false, reason: 'disabled' };
      }
      const cookie = randomBytes(32).toString('base64url');
      const session: Session = {
        idHash: sha256(cookie),
        user: { id: user.id, name: user.name, role: user.role, regions: user.regions },
        csrf: randomBytes(24).toString('base64url'),
      };
      await db.write(async (c) => {
        await c.run(SQL.user_login_ok, { id });
        await c.run(SQL.session_insert, { id_hash: session.idHash, user_id: id, csrf: session.csrf, at: new Date(t).toISOString(), address });
      });
      await audit({ user: id, action: 'login', target: id, outcome: 'ok', address });
      return { ok: true, cookie, session };
    },

    /** The session a cookie value opens, or null (none, expired, its user disabled or gone). Notes its use. */
    async session(cookie: string | undefined): Promise<Session | null> {
      if (!cookie || cookie.length > 100) return null;
      const idHash = sha256(cookie);
      const row = (await db.read((c) => runPrepared(c, SQL.session_get, { id_hash: idHash }))).getRowObjectsJson()[0];
      if (!row) return null;
      const t = now().getTime();
      const created = Date.parse(String(row.created_at));
      const seen = Date.parse(String(row.last_seen_at));
      if (t - seen > settings.sessionIdleMinutes * MINUTE || t - created > settings.sessionMaxHours * 60 * MINUTE) {
        await db.write((c) => c.run(SQL.session_delete, { id_hash: idHash }));
        return null;
      }
      if (row.disabled === true) return null;
      if (t - seen >= TOUCH_EVERY_MS) await db.write((c) => c.run(SQL.session_touch, { id_hash: idHash, at: new Date(t).toISOString() }));
      const user: ConsoleUser = { id: String(row.user_id), name: String(row.name), role: row.role as Role, regions: (row.regions as string[] | null) ?? [] };
      return { idHash, user, csrf: String(row.csrf) };
    },

    /** Ends a session (log out). */
    async logout(session: Session, address: string): Promise<void> {
      await db.write((c) => c.run(SQL.session_delete, { id_hash: session.idHash }));
      await audit({ user: session.user.id, action: 'logout', outcome: 'ok', address });
    },

    /** Removes expired sessions (hourly, from the service). */
    async sweepExpired(): Promise<void> {
      const t = now().getTime();
      await db.write((c) =>
        c.run(SQL.session_delete_expired, {
          idle_before: new Date(t - settings.sessionIdleMinutes * MINUTE).toISOString(),
          opened_before: new Date(t - settings.sessionMaxHours * 60 * MINUTE).toISOString(),
        }),
      );
    },
  };
}

export type Auth = ReturnType<typeof createAuth>;

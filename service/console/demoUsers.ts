/**
 * The console users `edumon demo` makes, one per role, so each page can be tried as who it is
 * for: 温县's education bureau (a county official), the city's, the data team, an analyst, an
 * admin. Made through the running service (its POST /users path, audited as `cli`); a demo run
 * again finds them there and leaves them (their passwords were printed once, by the run that
 * made them, and are not known any more).
 */
import type { UsersAnswer, UsersRequest } from './userStore.ts';

/** The demo's users: login, name, role, regions. */
export const demoUserSpecs = [
  { id: 'wen', name: '温县教育局', role: 'county', regions: ['410825'] },
  { id: 'city', name: '焦作市教育局', role: 'city', regions: [] },
  { id: 'data', name: '数据组', role: 'data', regions: [] },
  { id: 'analyst', name: '分析人员', role: 'analyst', regions: [] },
  { id: 'admin', name: '管理员', role: 'admin', regions: [] },
] as const;

/** A demo user after the run: made now (with the password generated, to print once) or found from an earlier run (null). */
export interface DemoUser {
  id: string;
  name: string;
  role: string;
  regions: readonly string[];
  password: string | null;
}

/**
 * Adds every demo user that does not exist yet through `users` (a service's users function),
 * each with a generated password; returns all five, in demoUserSpecs' order, with the passwords
 * of those made now. Rejects as `users` does.
 */
export async function demoUsers(users: (req: UsersRequest) => Promise<UsersAnswer>): Promise<DemoUser[]> {
  const listed = await users({ action: 'list' });
  const existing = new Set(listed.rows.map((r) => String(r[listed.columns.indexOf('id')])));
  const made: DemoUser[] = [];
  for (const spec of demoUserSpecs) {
    if (existing.has(spec.id)) {
      made.push({ ...spec, password: null });
      continue;
    }
    const answer = await users({ action: 'add', id: spec.id, name: spec.name, role: spec.role, regions: [...spec.regions] });
    made.push({ ...spec, password: String(answer.rows[0]?.[answer.columns.indexOf('password')]) });
  }
  return made;
}

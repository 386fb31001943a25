/**
 * Console users end to end, on one `edumon run`: `edumon users` on the warehouse file and then
 * through the running service (a password from stdin or generated and printed once, never a hash
 * in a listing), signing in over HTTP as a browser does (the login form's CSRF cookie and field,
 * the Origin header), what disabling and setting a password do to sessions and logins, the lock
 * after five wrong passwords and the login page saying until when, the admin's users pages (a
 * password shown once, a name escaped, an admin unable to disable themselves, a form without its
 * token refused), a non-admin refused the admin pages, and the audit trail listing all of it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readServiceFile } from '../../service/client.ts';
import { type Running, runEdumon, spawnEdumon, waitFor } from '../helpers/cli.ts';
import { testEnv } from '../helpers/testEnv.ts';

const t = testEnv('consoleusers');
const ADMIN_PASSWORD = 'admin-password-0001';
let service: Running;
let base = '';

/** A browser's share of the console: its cookies, and the form posts it makes from the console's own pages. */
class Browser {
  private cookies = new Map<string, string>();

  async get(path: string): Promise<Response> {
    return this.keep(await fetch(`${base}${path}`, { redirect: 'manual', headers: { cookie: this.cookieHeader() } }));
  }

  /** A form post as the console's pages send it: url-encoded, from the console's origin. */
  async post(path: string, form: Record<string, string | string[]>): Promise<Response> {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) for (const x of [v].flat()) body.append(k, x);
    return this.keep(
      await fetch(`${base}${path}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: this.cookieHeader(), origin: base, 'content-type': 'application/x-www-form-urlencoded' },
        body,
      }),
    );
  }

  /** Signs in through the login form (its CSRF field and cookie); the answer to the post. */
  async login(login: string, password: string): Promise<Response> {
    const token = csrfOf(await (await this.get('/login')).text());
    return this.post('/login', { _csrf: token, login, password });
  }

  /** The CSRF token of the signed-in session, as its pages carry it. */
  async csrf(path = '/admin/users'): Promise<string> {
    return csrfOf(await (await this.get(path)).text());
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(res: Response): Response {
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      const [name, value] = [pair.slice(0, at), pair.slice(at + 1)];
      if (value && !/max-age=0/i.test(line)) this.cookies.set(name, value);
      else this.cookies.delete(name);
    }
    return res;
  }
}

function csrfOf(page: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(page);
  if (!m) throw new Error(`no CSRF field in the page:\n${page.slice(0, 500)}`);
  return m[1]!;
}

/** `edumon users ARGS --json` (exit 0 asserted): one object per line. */
async function users(args: string[], stdin?: string): Promise<Record<string, unknown>[]> {
  const r = await runEdumon(['users', ...args, '--json'], t.env, stdin);
  if (r.code !== 0) throw new Error(`edumon users ${args.join(' ')} exited ${r.code}:\n${r.output}`);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const generated = /^[A-Za-z2-9]{16}$/;

beforeAll(async () => {
  // The first admin is made on the warehouse file, before any service runs.
  const migrated = await runEdumon(['migrate'], t.env);
  expect(migrated.code, migrated.output).toBe(0);
  const [admin] = await users(['add', 'admin', '--name', '管理员', '--role', 'admin', '--password-stdin'], `${ADMIN_PASSWORD}\n`);
  expect(admin).toMatchObject({ id: 'admin', password: '(as given)' });
  service = spawnEdumon(['run'], t.env);
  await waitFor(() => readServiceFile(t.config.warehouse)?.console !== undefined, 90_000, 'the console to listen');
  base = readServiceFile(t.config.warehouse)!.console!;
}, 180_000);

afterAll(async () => {
  service?.child.kill('SIGTERM');
  await service?.exited;
});

describe('console users', () => {
  let anaPassword = '';

  it('adds users through the running service, a password from stdin or generated and printed once, and lists them without a hash', async () => {
    const [wen] = await users(['add', 'wen', '--name', '温县教育局', '--role', 'county', '--region', '410825', '--password-stdin'], 'wen-password-0001\n');
    expect(wen).toEqual({ id: 'wen', role: 'county', regions: '410825', password: '(as given)' });
    const table = await runEdumon(['users', 'add', 'ana', '--name', '分析员', '--role', 'analyst'], t.env);
    expect(table.code, table.output).toBe(0);
    anaPassword = /^ana +│ analyst +│ +│ (\S+)$/m.exec(table.stdout)?.[1] ?? '';
    expect(anaPassword).toMatch(generated);
    expect(table.stderr).toMatch(/口令只显示这一次/);
    const again = await runEdumon(['users', 'add', 'wen', '--name', 'x', '--role', 'city'], t.env);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/已存在/);

    const listed = await runEdumon(['users', 'list'], t.env);
    expect(listed.code, listed.output).toBe(0);
    expect(listed.stdout).toMatch(/^wen +│ 温县教育局 +│ county +│ 410825 +│ false/m);
    expect(listed.stdout).toMatch(/\(3 rows\)/);
    for (const secret of ['scrypt', 'password_hash', anaPassword, 'wen-password-0001', ADMIN_PASSWORD]) expect(listed.stdout).not.toContain(secret);
  });

  it('signs in over HTTP; users disable ends the session and refuses the login, --enable lets it in again', async () => {
    const wen = new Browser();
    const login = await wen.login('wen', 'wen-password-0001');
    expect(login.status).toBe(303);
    expect((await wen.get('/')).status).toBe(200);

    await users(['disable', 'wen']);
    const after = await wen.get('/');
    expect(after.status).toBe(302);
    expect(after.headers.get('location')).toBe('/login?next=%2F');
    const refused = await wen.login('wen', 'wen-password-0001');
    expect(refused.status).toBe(429);
    expect(await refused.text()).toMatch(/此账号已停用/);

    await users(['disable', 'wen', '--enable']);
    expect((await wen.login('wen', 'wen-password-0001')).status).toBe(303);
  });

  it('users passwd sets a new password: the old one no longer signs in, the new one does', async () => {
    const [set] = await users(['passwd', 'wen', '--password-stdin'], 'wen-password-0002\n');
    expect(set).toEqual({ id: 'wen', password: '(as given)' });
    const b = new Browser();
    expect((await b.login('wen', 'wen-password-0001')).status).toBe(401);
    expect((await b.login('wen', 'wen-password-0002')).status).toBe(303);
  });

  it('five wrong passwords in a row lock the account; the login page says 锁定 and until when, Beijing time', async () => {
    const b = new Browser();
    const answers: Response[] = [];
    for (let i = 0; i < 5; i++) answers.push(await b.login('wen', `wrong-password-${i}`));
    expect(answers.map((r) => r.status)).toEqual([401, 401, 401, 401, 429]);
    const [listed] = (await users(['list'])).filter((u) => u.id === 'wen');
    const until = String(listed!.locked_until);
    expect(until).toMatch(/\+08:00$/);
    const shown = `${until.slice(0, 10)} ${until.slice(11, 16)}`;
    expect(await answers[4]!.text()).toContain(`账号已锁定至 ${shown}（北京时间）`);
    // The right password changes nothing while it is locked.
    const right = await b.login('wen', 'wen-password-0002');
    expect(right.status).toBe(429);
    expect(await right.text()).toMatch(/锁定/);
  });

  it('refuses a non-admin the admin pages (403), and audits the attempt', async () => {
    const ana = new Browser();
    expect((await ana.login('ana', anaPassword)).status).toBe(303);
    for (const path of ['/admin/users', '/admin/audit', '/admin/users/wen']) expect((await ana.get(path)).status, path).toBe(403);
    // With the session's own token (every page's sign-out form carries it, the refusal's too).
    const post = await ana.post('/admin/users/wen/disable', { _csrf: await ana.csrf('/admin/users') });
    expect(post.status).toBe(403);
  });

  it("the admin's pages add a user (its password shown once, its name escaped), set a password, rescope; refuse disabling oneself and a form without its token", async () => {
    const admin = new Browser();
    expect((await admin.login('admin', ADMIN_PASSWORD)).status).toBe(303);
    const list = await (await admin.get('/admin/users')).text();
    expect(list).toMatch(/锁定至 \d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
    const csrf = csrfOf(list);

    const added = await admin.post('/admin/users', { _csrf: csrf, login: 'Meng', name: '<b>孟州</b>', role: 'county', region: ['410883'] });
    expect(added.status).toBe(200);
    const page = await added.text();
    const password = /<code>([^<]+)<\/code>/.exec(page)?.[1] ?? '';
    expect(password).toMatch(generated);
    expect(page).toContain('&lt;b&gt;孟州&lt;/b&gt;');
    expect(page).not.toContain('<b>孟州');
    const meng = new Browser();
    expect((await meng.login('meng', password)).status).toBe(303);
    // Shown once: the list page never shows it again.
    expect(await (await admin.get('/admin/users')).text()).not.toContain(password);

    const reset = await admin.post('/admin/users/wen/passwd', { _csrf: csrf });
    expect(reset.status).toBe(200);
    const wenPassword = /<code>([^<]+)<\/code>/.exec(await reset.text())?.[1] ?? '';
    expect(wenPassword).toMatch(generated);
    // A new password unlocks the account.
    expect((await new Browser().login('wen', wenPassword)).status).toBe(303);

    const scoped = await admin.post('/admin/users/meng/scope', { _csrf: csrf, role: 'city', region: ['410883'] });
    expect(scoped.status).toBe(303);
    expect(scoped.headers.get('location')).toBe('/admin/users/meng?done=scope');
    // A new role applies at the next sign-in: the session it had has ended.
    expect((await meng.get('/')).status).toBe(302);
    expect((await meng.login('meng', password)).status).toBe(303);
    const disabled = await admin.post('/admin/users/meng/disable', { _csrf: csrf });
    expect(disabled.status).toBe(303);
    expect(await (await admin.get(disabled.headers.get('location')!)).text()).toMatch(/账号已停用，其会话已结束/);
    expect((await meng.get('/')).status).toBe(302);

    const bad = await admin.post('/admin/users', { _csrf: csrf, login: 'x', name: 'X', role: 'city' });
    expect(bad.status).toBe(400);
    const badText = await bad.text();
    expect(badText).toMatch(/登录名只能用小写字母/);
    expect(badText).not.toMatch(/is not a login/);
    // In English, the same refusal in English alone.
    await admin.get('/lang?to=en&next=/admin/users');
    const badEn = await (await admin.post('/admin/users', { _csrf: csrf, login: 'x', name: 'X', role: 'city' })).text();
    expect(badEn).toMatch(/is not a login: 2-64 lower-case letters/);
    expect(badEn).not.toMatch(/登录名只能/);
    await admin.get('/lang?to=zh-CN&next=/admin/users');

    const self = await admin.post('/admin/users/admin/disable', { _csrf: csrf });
    expect(self.status).toBe(400);
    expect(await self.text()).toMatch(/不能停用自己的账号/);
    expect((await admin.post('/admin/users/wen/disable', { login: 'wen' })).status).toBe(403);
    const after = Object.fromEntries((await users(['list'])).map((u) => [u.id, u]));
    expect(after.meng).toMatchObject({ role: 'city', regions: '', disabled: true });
    expect(after.wen).toMatchObject({ disabled: false, locked_until: null });
  });

  it('the admin reads all of it in /admin/audit, newest first, filtered by user and outcome', async () => {
    const admin = new Browser();
    expect((await admin.login('admin', ADMIN_PASSWORD)).status).toBe(303);
    const res = await admin.get('/admin/audit');
    expect(res.status).toBe(200);
    const page = await res.text();
    const rows = [...page.matchAll(/<tr>(.*?)<\/tr>/gs)].map((m) =>
      m[1]!
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim(),
    );
    const has = (...parts: string[]) => rows.some((r) => parts.every((p) => r.includes(p)));
    expect(has('cli', 'users add', 'admin', '成功', '命令行', 'password given')).toBe(true);
    expect(has('cli', 'users add', 'wen', '成功', 'role county, regions 410825')).toBe(true);
    expect(has('cli', 'users add', 'wen', '拒绝', '已存在')).toBe(true);
    expect(has('cli', 'users disable', 'wen', 'disabled; sessions ended')).toBe(true);
    expect(has('cli', 'users passwd', 'wen', 'password given')).toBe(true);
    expect(has('（未登录）', 'login', 'wen', '拒绝', 'account now locked')).toBe(true);
    expect(has('ana', 'get users', '/admin/users', '拒绝', 'role analyst')).toBe(true);
    expect(has('admin', 'users add', 'meng', '成功', '127.0.0.1', 'role county, regions 410883; password generated')).toBe(true);
    expect(has('admin', 'users scope', 'meng', 'role city')).toBe(true);
    expect(has('admin', 'users disable', 'admin', '拒绝')).toBe(true);
    expect(has('admin', 'post /admin/users/wen/disable', '拒绝', 'CSRF')).toBe(true);
    for (const row of rows) expect(row).not.toMatch(/wen-password|admin-password|scrypt/);
    const times = [...page.matchAll(/<time datetime="([^"]+)"/g)].map((m) => Date.parse(m[1]!));
    expect(times.length).toBeGreaterThan(20);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(page).toMatch(/<time datetime="[^"]+\+08:00">\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}<\/time>/);

    const anaOnly = await (await admin.get('/admin/audit?user=ana&outcome=refused')).text();
    const anaRows = [...anaOnly.matchAll(/<tbody>(.*?)<\/tbody>/gs)].flatMap((m) => [...m[1]!.matchAll(/<tr>(.*?)<\/tr>/gs)]).map((m) => m[1]!);
    expect(anaRows.length).toBeGreaterThanOrEqual(3);
    for (const row of anaRows) {
      expect(row).toMatch(/<td data-label="用户">ana<\/td>/);
      expect(row).toMatch(/outcome-refused/);
    }
  });
});

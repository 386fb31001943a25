/**
 * The users pages (issue 23, admins only): /admin/users lists every account (role, regions,
 * enabled or disabled, locked until when, password set when) with a form to add one;
 * /admin/users/<login> shows one with forms to set a new password, disable or enable it, and
 * change its role and regions. Passwords are generated here and shown once, in the answer to the
 * form that made them (never in a URL, never stored but hashed); an admin cannot type one. Every
 * change goes through userStore.ts usersRequest like `edumon users`, on the console's writer, and
 * is audited with the admin's login (auditedUsersRequest.ts), refusals too. An admin cannot
 * disable their own account or take their own admin role away (the console would lose its admin).
 */
import type { Context } from 'hono';
import { html } from 'hono/html';
import { messageOf, UsageError } from '../../../core/errors.ts';
import { CITY_CODE, regionOf, regions } from '../../../core/regions.ts';
import { sqlStatements } from '../../../core/sqlStatements.ts';
import { auditedUsersRequest } from '../auditedUsersRequest.ts';
import type { T } from '../i18n.ts';
import { type ConsoleEnv, csrfField, type Markup, page, refusal, shanghaiText } from '../layout.ts';
import { type Role, roleNames, roles } from '../roles.ts';
import { type ConsoleDeps, type Register, requirePage } from '../server.ts';
import type { UsersAnswer, UsersRequest } from '../userStore.ts';

const SQL = sqlStatements('console', ['user_list']);

/** One account as the pages show it (user_list.sql; no hash). */
interface UserRow {
  id: string;
  name: string;
  role: Role;
  regions: string[];
  disabled: boolean;
  failedLogins: number;
  lockedUntil: string | null;
  createdAt: string;
  passwordChangedAt: string;
}

/** What the page says above its content after a form: done, refused (why), or a password to hand over. */
type Notice = { kind: 'done'; text: string } | { kind: 'error'; text: string } | { kind: 'password'; login: string; password: string };

/** The regions a county official may cover: every one but the city itself. */
const countyRegions = regions.filter((r) => r.code !== CITY_CODE);

/**
 * Adds GET /admin/users, GET /admin/users/:id, and the forms' POST /admin/users (add),
 * /admin/users/:id/passwd, /disable (enable=1 to enable) and /scope, for the roles pageRoles.users names.
 */
export const registerAdminUsers: Register = (app, deps) => {
  const gate = requirePage(deps, 'users');

  app.get('/admin/users', gate, async (c) => c.html(await listPage(c, deps, doneNotice(c))));

  app.get('/admin/users/:id', gate, async (c) => {
    const user = await findUser(deps, c.req.param('id') ?? '');
    if (!user) return noSuchUser(c);
    return c.html(userPage(c, user, doneNotice(c)));
  });

  app.post('/admin/users', gate, async (c) => {
    const form = await c.req.parseBody({ all: true });
    const role = field(form.role);
    const req: UsersRequest = {
      action: 'add',
      id: field(form.login).toLowerCase(),
      name: field(form.name),
      role,
      // Regions ticked and then another role chosen: only a county official's count.
      regions: role === 'county' ? fields(form.region) : [],
    };
    const answer = await change(c, deps, req);
    if ('error' in answer) {
      c.status(400);
      return c.html(await listPage(c, deps, answer.error, req));
    }
    return c.html(await listPage(c, deps, { kind: 'password', login: req.id, password: passwordOf(answer) }));
  });

  app.post('/admin/users/:id/passwd', gate, async (c) => {
    const id = c.req.param('id') ?? '';
    const answer = await change(c, deps, { action: 'passwd', id });
    const user = await findUser(deps, id);
    if (!user) return noSuchUser(c);
    if ('error' in answer) {
      c.status(400);
      return c.html(userPage(c, user, answer.error));
    }
    // Their own password: their session has just ended with the others, so the next page asks them to sign in.
    return c.html(userPage(c, user, { kind: 'password', login: id, password: passwordOf(answer) }));
  });

  app.post('/admin/users/:id/disable', gate, async (c) => {
    const { t } = c.var;
    const id = c.req.param('id') ?? '';
    const enable = field((await c.req.parseBody()).enable) === '1';
    if (!enable && id === c.var.session!.user.id) {
      return selfRefused(c, deps, id, 'users disable', t('不能停用自己的账号。', 'You cannot disable your own account.'));
    }
    return afterChange(c, deps, id, { action: 'disable', id, enable }, enable ? 'enabled' : 'disabled');
  });

  app.post('/admin/users/:id/scope', gate, async (c) => {
    const { t } = c.var;
    const id = c.req.param('id') ?? '';
    const form = await c.req.parseBody({ all: true });
    const role = field(form.role);
    if (id === c.var.session!.user.id && role !== 'admin') {
      return selfRefused(c, deps, id, 'users scope', t('不能取消自己的管理员角色。', 'You cannot take your own administrator role away.'));
    }
    return afterChange(c, deps, id, { action: 'scope', id, role, regions: role === 'county' ? fields(form.region) : [] }, 'scope');
  });
};

/** A form field's text ('' when absent or a file). */
const field = (v: unknown): string => (typeof v === 'string' ? v.trim() : Array.isArray(v) ? field(v[0]) : '');
/** A repeated form field's texts. */
const fields = (v: unknown): string[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === 'string' && x !== '');

const passwordOf = (answer: UsersAnswer) => String(answer.rows[0]?.[answer.columns.indexOf('password')] ?? '');

/** Carries out a change as the signed-in admin, audited; a refusal (UsageError) comes back as the notice to show. */
async function change(c: Context<ConsoleEnv>, deps: ConsoleDeps, req: UsersRequest): Promise<UsersAnswer | { error: Notice }> {
  const by = { user: c.var.session!.user.id, address: c.var.address };
  try {
    return await deps.db.write((conn) => auditedUsersRequest(conn, req, by));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    return { error: { kind: 'error', text: readerText(messageOf(err), c.var.t) } };
  }
}

/**
 * A store message in the reader's language: they read `users add: 中文 / English` (or English
 * first), written for the command line, whose command name means nothing here.
 */
function readerText(message: string, t: T): string {
  const text = message.replace(/^users \w+: /, '');
  const parts = text.split(' / ');
  if (parts.length !== 2) return text;
  const han = /\p{Script=Han}/u;
  const [zh, en] = han.test(parts[0]!) ? [parts[0]!, parts[1]!] : [parts[1]!, parts[0]!];
  return t(zh, en);
}

/** After a disable, enable or scope change: back to the user's page, saying what was done (or why not). */
async function afterChange(c: Context<ConsoleEnv>, deps: ConsoleDeps, id: string, req: UsersRequest, done: string) {
  const answer = await change(c, deps, req);
  if ('error' in answer) {
    const user = await findUser(deps, id);
    if (!user) return noSuchUser(c);
    c.status(400);
    return c.html(userPage(c, user, answer.error));
  }
  return c.redirect(`/admin/users/${encodeURIComponent(id)}?done=${done}`, 303);
}

/** A change an admin may not make to their own account: refused (400), audited. */
async function selfRefused(c: Context<ConsoleEnv>, deps: ConsoleDeps, id: string, action: string, why: string) {
  await deps.auth.audit({ user: id, action, target: id, outcome: 'refused', address: c.var.address, detail: 'an admin cannot do this to their own account' });
  const user = await findUser(deps, id);
  if (!user) return noSuchUser(c);
  c.status(400);
  return c.html(userPage(c, user, { kind: 'error', text: why }));
}

const noSuchUser = (c: Context<ConsoleEnv>) =>
  refusal(c, 404, c.var.t('没有此用户', 'No such user'), c.var.t('没有这个登录名的用户。', 'There is no user with this login.'));

/** What a `done` query parameter (after a redirect) says. */
function doneNotice(c: Context<ConsoleEnv>): Notice | null {
  const { t } = c.var;
  const said: Record<string, string> = {
    disabled: t('账号已停用，其会话已结束。', 'The account is disabled and its sessions ended.'),
    enabled: t('账号已启用。', 'The account is enabled.'),
    scope: t('角色与区域已更改，其会话已结束（重新登录后生效）。', 'Role and regions changed; its sessions ended (they apply at the next sign-in).'),
  };
  const text = said[c.req.query('done') ?? ''];
  return text ? { kind: 'done', text } : null;
}

async function allUsers(deps: ConsoleDeps): Promise<UserRow[]> {
  const rows = (await deps.db.read((conn) => conn.runAndReadAll(SQL.user_list))).getRowObjectsJson();
  return rows.map((r) => ({
    id: String(r.id),
    name: String(r.name),
    role: r.role as Role,
    regions: ((r.regions as string[] | null) ?? []).map(String),
    disabled: r.disabled === true,
    failedLogins: Number(r.failed_logins),
    lockedUntil: (r.locked_until as string | null) ?? null,
    createdAt: String(r.created_at),
    passwordChangedAt: String(r.password_changed_at),
  }));
}

async function findUser(deps: ConsoleDeps, id: string): Promise<UserRow | undefined> {
  return (await allUsers(deps)).find((u) => u.id === id);
}

const roleText = (role: string, t: T) => (role in roleNames ? t(roleNames[role as Role].zh, roleNames[role as Role].en) : role);
const regionsText = (codes: readonly string[], lang: string) =>
  codes.map((code) => (lang === 'en' ? (regionOf(code)?.en ?? code) : (regionOf(code)?.zh ?? code))).join(lang === 'en' ? ', ' : '、');
const lockedNow = (u: UserRow) => u.lockedUntil !== null && Date.parse(u.lockedUntil) > Date.now();

/** The account's state in words (never by colour alone): enabled, disabled, locked until when. */
function stateText(u: UserRow, t: T): string {
  const parts = [u.disabled ? t('已停用', 'Disabled') : t('启用', 'Enabled')];
  if (lockedNow(u)) parts.push(t(`锁定至 ${shanghaiText(u.lockedUntil)}`, `locked until ${shanghaiText(u.lockedUntil)}`));
  return parts.join(t('，', ', '));
}

function noticeMarkup(n: Notice | null, t: T): Markup | string {
  if (!n) return '';
  if (n.kind === 'error') return html`<p class="notice" role="alert">${n.text}</p>`;
  if (n.kind === 'done') return html`<p class="notice done" role="status">${n.text}</p>`;
  return html`<div class="notice password" role="status">
  <p>${t(`${n.login} 的口令（只显示这一次，请当面或经安全渠道交给本人）：`, `The password of ${n.login} (shown this once: hand it to its owner in person or another safe way):`)}</p>
  <p><code>${n.password}</code></p>
</div>`;
}

/** The role select and the regions a county official covers, as the add and scope forms share them. */
function scopeFields(c: Context<ConsoleEnv>, idPrefix: string, role: string, chosen: readonly string[]) {
  const { t, lang } = c.var;
  return html`
  <label for="${idPrefix}-role">${t('角色', 'Role')}</label>
  <select id="${idPrefix}-role" name="role" required>
    ${roles.map((r) => html`<option value="${r}" ${r === role ? 'selected' : ''}>${roleText(r, t)}</option>`)}
  </select>
  <fieldset class="regions"><legend>${t('负责的区域（仅县区教育局用户，至少选一个）', 'Regions covered (county officials only: at least one)')}</legend>
    ${countyRegions.map(
      (r) =>
        html`<label><input type="checkbox" name="region" value="${r.code}" ${chosen.includes(r.code) ? 'checked' : ''}> ${lang === 'en' ? r.en : r.zh} <small>${r.code}</small></label>`,
    )}
  </fieldset>`;
}

async function listPage(c: Context<ConsoleEnv>, deps: ConsoleDeps, notice: Notice | null, tried?: Extract<UsersRequest, { action: 'add' }>) {
  const { t, lang } = c.var;
  const session = c.var.session!;
  const users = await allUsers(deps);
  const body = html`
${noticeMarkup(notice, t)}
<table class="users">
<caption>${t(`共 ${users.length} 个用户`, `${users.length} users`)}</caption>
<thead><tr>
  <th scope="col">${t('登录名', 'Login')}</th><th scope="col">${t('姓名', 'Name')}</th><th scope="col">${t('角色', 'Role')}</th>
  <th scope="col">${t('负责区域', 'Regions')}</th><th scope="col">${t('状态', 'State')}</th><th scope="col">${t('口令设置于', 'Password set')}</th>
</tr></thead>
<tbody>
${users.map(
  (u) => html`<tr>
  <td data-label="${t('登录名', 'Login')}"><a href="/admin/users/${encodeURIComponent(u.id)}">${u.id}</a></td>
  <td data-label="${t('姓名', 'Name')}">${u.name}</td>
  <td data-label="${t('角色', 'Role')}">${roleText(u.role, t)}</td>
  <td data-label="${t('负责区域', 'Regions')}">${u.regions.length ? regionsText(u.regions, lang) : html`<small>${t('不按区域限定', 'not by region')}</small>`}</td>
  <td data-label="${t('状态', 'State')}">${stateText(u, t)}</td>
  <td data-label="${t('口令设置于', 'Password set')}">${shanghaiText(u.passwordChangedAt)}</td>
</tr>`,
)}
</tbody></table>

<section aria-labelledby="add"><h2 id="add">${t('添加用户', 'Add a user')}</h2>
<form method="post" action="/admin/users" class="card userform">
  ${csrfField(session)}
  <label for="add-login">${t('登录名（小写字母、数字与 . _ -）', 'Login (lower-case letters, digits, . _ -)')}</label>
  <input id="add-login" name="login" required maxlength="64" autocomplete="off" value="${tried?.id ?? ''}">
  <label for="add-name">${t('姓名或科室', 'Name or office')}</label>
  <input id="add-name" name="name" required maxlength="100" autocomplete="off" value="${tried?.name ?? ''}">
  ${scopeFields(c, 'add', tried?.role ?? 'county', tried?.regions ?? [])}
  <p><small>${t('口令由系统生成，添加后只显示一次。', 'The password is generated and shown once, after adding.')}</small></p>
  <button type="submit">${t('添加并生成口令', 'Add and generate a password')}</button>
</form></section>`;
  return page(c, { title: t('用户', 'Users'), body, current: 'users' });
}

function userPage(c: Context<ConsoleEnv>, u: UserRow, notice: Notice | null) {
  const { t, lang } = c.var;
  const session = c.var.session!;
  const self = u.id === session.user.id;
  const base = `/admin/users/${encodeURIComponent(u.id)}`;
  const facts: Array<[string, string]> = [
    [t('登录名', 'Login'), u.id],
    [t('姓名', 'Name'), u.name],
    [t('角色', 'Role'), roleText(u.role, t)],
    [t('负责区域', 'Regions'), regionsText(u.regions, lang) || t('（不按区域限定）', '(not limited by region)')],
    [t('状态', 'State'), stateText(u, t)],
    [t('连续输错口令', 'Wrong passwords in a row'), String(u.failedLogins)],
    [t('创建于', 'Created'), shanghaiText(u.createdAt)],
    [t('口令设置于', 'Password set'), shanghaiText(u.passwordChangedAt)],
  ];
  const body = html`
${noticeMarkup(notice, t)}
<dl class="facts">${facts.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>

<section aria-labelledby="passwd"><h2 id="passwd">${t('设置口令', 'Set a password')}</h2>
<form method="post" action="${base}/passwd" class="card userform">
  ${csrfField(session)}
  <p>${t('生成新口令并只显示一次；原口令作废，其会话结束，账号解除锁定。', 'Generates a new password, shown once; the old one stops working, its sessions end and the account is unlocked.')}</p>
  <button type="submit">${t('生成新口令', 'Generate a new password')}</button>
</form></section>

<section aria-labelledby="disable"><h2 id="disable">${u.disabled ? t('启用账号', 'Enable the account') : t('停用账号', 'Disable the account')}</h2>
<form method="post" action="${base}/disable" class="card userform">
  ${csrfField(session)}
  ${
    u.disabled
      ? html`<input type="hidden" name="enable" value="1"><p>${t('账号已停用。启用后可再登录。', 'The account is disabled. Enabled, it can sign in again.')}</p>
  <button type="submit">${t('启用', 'Enable')}</button>`
      : self
        ? html`<p>${t('不能停用自己的账号。', 'You cannot disable your own account.')}</p>`
        : html`<p>${t('停用后不能登录，其会话立即结束。', 'Disabled, it cannot sign in, and its sessions end now.')}</p>
  <button type="submit">${t('停用', 'Disable')}</button>`
  }
</form></section>

<section aria-labelledby="scope"><h2 id="scope">${t('角色与区域', 'Role and regions')}</h2>
<form method="post" action="${base}/scope" class="card userform">
  ${csrfField(session)}
  ${self ? html`<p>${t('您不能取消自己的管理员角色。', 'You cannot take your own administrator role away.')}</p>` : ''}
  ${scopeFields(c, 'scope', u.role, u.regions)}
  <button type="submit">${t('保存角色与区域', 'Save role and regions')}</button>
</form></section>

<p><a href="/admin/users">${t('返回用户列表', 'Back to the users')}</a></p>`;
  return page(c, { title: t(`用户 ${u.id}`, `User ${u.id}`), body, current: 'users' });
}

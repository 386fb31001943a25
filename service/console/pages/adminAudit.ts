/**
 * The audit trail (issue 23, admins only): /admin/audit lists console_audit newest first, 100 a
 * page, filtered by user (what that login did, and the logins tried as it) and outcome; times in
 * Asia/Shanghai to the second. Actions and outcomes are said in words, Chinese first; the detail is
 * as it was written.
 */
import type { Context } from 'hono';
import { html } from 'hono/html';
import { formatShanghai } from '../../../core/shanghai.ts';
import { sqlStatements } from '../../../core/sqlStatements.ts';
import type { T } from '../i18n.ts';
import { type ConsoleEnv, page } from '../layout.ts';
import { type ConsoleDeps, type Register, requirePage } from '../server.ts';

const SQL = sqlStatements('console', ['audit_page', 'audit_users']);

/** Rows a page shows. */
export const AUDIT_PAGE_SIZE = 100;

const outcomes = ['ok', 'refused', 'failed'] as const;
const outcomeText: Record<string, [string, string]> = { ok: ['成功', 'Done'], refused: ['拒绝', 'Refused'], failed: ['失败', 'Failed'] };
/** The actions code writes (auth.ts, the pages, auditedUsersRequest.ts) in words; a page's refusal (`get users`) is shown as written. */
const actionText: Record<string, [string, string]> = {
  login: ['登录', 'Sign in'],
  logout: ['退出', 'Sign out'],
  ack: ['确认告警', 'Acknowledge'],
  silence: ['静默', 'Silence'],
  release: ['放行', 'Release'],
  'view alert': ['查看告警', 'View alert'],
  'open link': ['打开确认链接', 'Open email link'],
  'users add': ['添加用户', 'Add user'],
  'users passwd': ['设置口令', 'Set password'],
  'users disable': ['停用或启用用户', 'Disable or enable user'],
  'users scope': ['更改角色与区域', 'Change role and regions'],
};

/** Adds GET /admin/audit (?user, ?outcome, ?page), for the roles pageRoles.audit names. */
export const registerAdminAudit: Register = (app, deps) => {
  app.get('/admin/audit', requirePage(deps, 'audit'), async (c) => c.html(await auditPage(c, deps)));
};

/** An audit row's moment as `2025-07-12 10:55:03`, Asia/Shanghai. */
const secondsText = (moment: string) => {
  const s = formatShanghai(moment);
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/.test(s) ? `${s.slice(0, 10)} ${s.slice(11, 19)}` : s;
};

const words = (table: Record<string, [string, string]>, key: string, t: T) => {
  const w = table[key];
  return w ? t(w[0], w[1]) : key;
};

async function auditPage(c: Context<ConsoleEnv>, deps: ConsoleDeps) {
  const { t } = c.var;
  const user = c.req.query('user')?.trim().slice(0, 64) || null;
  const outcome = (outcomes as readonly string[]).includes(c.req.query('outcome') ?? '') ? c.req.query('outcome')! : null;
  const pageNo = Math.max(1, Math.min(100_000, Number.parseInt(c.req.query('page') ?? '1', 10) || 1));
  const [rows, actors] = await Promise.all([
    deps.db.read(async (conn) =>
      (
        await conn.runAndReadAll(SQL.audit_page, { limit: AUDIT_PAGE_SIZE, offset: (pageNo - 1) * AUDIT_PAGE_SIZE, user_id: user, outcome })
      ).getRowObjectsJson(),
    ),
    deps.db.read(async (conn) => (await conn.runAndReadAll(SQL.audit_users)).getRows().map((r) => String(r[0]))),
  ]);
  const total = Number(rows[0]?.total ?? 0);
  const pages = Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE));
  const link = (n: number) => {
    const p = new URLSearchParams();
    if (user) p.set('user', user);
    if (outcome) p.set('outcome', outcome);
    p.set('page', String(n));
    return `/admin/audit?${p}`;
  };
  const cell = (v: unknown) => (v === null || v === undefined ? '' : String(v));
  const head = [
    t('时间（北京时间）', 'When (Beijing time)'),
    t('用户', 'User'),
    t('操作', 'Action'),
    t('对象', 'Target'),
    t('结果', 'Outcome'),
    t('来源', 'From'),
    t('说明', 'Detail'),
  ];

  const body = html`
<form method="get" action="/admin/audit" class="filters" aria-label="${t('筛选', 'Filter')}">
  <label>${t('用户', 'User')}<input name="user" list="audit-users" value="${user ?? ''}" autocomplete="off" placeholder="${t('登录名或 cli', 'A login or cli')}"></label>
  <datalist id="audit-users">${actors.map((a) => html`<option value="${a}"></option>`)}</datalist>
  <label>${t('结果', 'Outcome')}<select name="outcome"><option value="">${t('全部', 'Any')}</option>
    ${outcomes.map((o) => html`<option value="${o}" ${o === outcome ? 'selected' : ''}>${words(outcomeText, o, t)}</option>`)}</select></label>
  <button type="submit">${t('筛选', 'Filter')}</button> <a href="/admin/audit">${t('清除', 'Clear')}</a>
</form>
${
  rows.length
    ? html`<table class="audit">
<caption>${t(`共 ${total} 条，第 ${pageNo}/${pages} 页，最新在前`, `${total} entries, page ${pageNo} of ${pages}, newest first`)}</caption>
<thead><tr>${head.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
<tbody>
${rows.map((r) => {
  const at = String(r.happened_at);
  const by = r.user_id === null ? t('（未登录）', '(not signed in)') : String(r.user_id);
  const from = r.address === null ? (r.user_id === 'cli' ? t('命令行', 'command line') : '') : String(r.address);
  const cells = [
    html`<time datetime="${formatShanghai(at)}">${secondsText(at)}</time>`,
    by,
    html`${words(actionText, String(r.action), t)}${actionText[String(r.action)] ? html` <small>${String(r.action)}</small>` : ''}`,
    cell(r.target),
    html`<span class="outcome outcome-${String(r.outcome)}">${words(outcomeText, String(r.outcome), t)}</span>`,
    from,
    cell(r.detail),
  ];
  return html`<tr>${cells.map((v, i) => html`<td data-label="${head[i]}">${v}</td>`)}</tr>`;
})}
</tbody></table>
<nav class="pager" aria-label="${t('分页', 'Pages')}">
  ${pageNo > 1 ? html`<a href="${link(pageNo - 1)}" rel="prev">${t('上一页（较新）', 'Previous (newer)')}</a>` : ''}
  <span>${pageNo} / ${pages}</span>
  ${pageNo < pages ? html`<a href="${link(pageNo + 1)}" rel="next">${t('下一页（较早）', 'Next (older)')}</a>` : ''}
</nav>`
    : html`<p class="empty">${t('没有符合条件的记录。', 'No entry matches.')}</p>`
}`;
  return page(c, { title: t('审计', 'Audit trail'), body, current: 'audit' });
}

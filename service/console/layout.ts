/**
 * The page shell every console page shares: the header with the user, the pages their role reaches
 * and the language switch; then the page. Server-rendered with hono/html, whose template escapes
 * every value it is given (a school named `<img src=x onerror=alert(1)>` shows as text); only
 * `raw()` passes markup, and only markup built here. No request leaves the console's origin: the
 * stylesheet, scripts and charts are served from /static.
 */
import type { Context } from 'hono';
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { formatShanghai } from '../../core/shanghai.ts';
import type { Session } from './auth.ts';
import type { Lang, T } from './i18n.ts';
import { type ConsoleUser, canReach, type Page, roleNames } from './roles.ts';

/** What a handler renders: escaped markup. */
export type Markup = HtmlEscapedString | Promise<HtmlEscapedString>;

/** The console's variables on a request: the reader's language, their translator, their session (if signed in). */
export interface ConsoleVars {
  lang: Lang;
  t: T;
  session: Session | null;
  address: string;
}
export type ConsoleEnv = { Variables: ConsoleVars };

const NAV: ReadonlyArray<{ page: Page; href: string; zh: string; en: string }> = [
  { page: 'alerts', href: '/', zh: '告警', en: 'Alerts' },
  { page: 'indicators', href: '/indicators', zh: '指标', en: 'Indicators' },
  { page: 'quality', href: '/quality', zh: '规则质量', en: 'Rule quality' },
  { page: 'health', href: '/health', zh: '数据健康', en: 'Data health' },
  { page: 'sql', href: '/sql', zh: 'SQL 查询', en: 'SQL' },
  { page: 'users', href: '/admin/users', zh: '用户', en: 'Users' },
  { page: 'audit', href: '/admin/audit', zh: '审计', en: 'Audit' },
];

/** The first page `user`'s role reaches, in the navigation's order: where `/` takes a role that has no alerts board (an analyst: the indicators). */
export function homeOf(user: ConsoleUser): string {
  return NAV.find((n) => canReach(user, n.page))?.href ?? '/';
}

/** A whole page: `title` in the tab and as the heading, `body` below; `current` marks the navigation entry. */
export function page(c: Context<ConsoleEnv>, opts: { title: string; body: Markup; current?: Page; scripts?: readonly string[] }): Markup {
  const { t, lang, session } = c.var;
  const path = new URL(c.req.url).pathname + new URL(c.req.url).search;
  const other: Lang = lang === 'en' ? 'zh-CN' : 'en';
  const nav = session
    ? NAV.filter((n) => canReach(session.user, n.page)).map(
        (n) => html`<li><a href="${n.href}" ${n.page === opts.current ? raw('aria-current="page"') : ''}>${t(n.zh, n.en)}</a></li>`,
      )
    : [];
  const who = session
    ? html`<span class="who">${session.user.name}（${t(roleNames[session.user.role].zh, roleNames[session.user.role].en)}）</span>
        <form method="post" action="/logout" class="inline"><input type="hidden" name="_csrf" value="${session.csrf}"><button type="submit">${t('退出', 'Sign out')}</button></form>`
    : '';
  return html`<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${opts.title} · edumon</title>
<link rel="stylesheet" href="/static/console.css">
<link rel="icon" href="data:,">
</head>
<body>
<a class="skip" href="#main">${t('跳到正文', 'Skip to content')}</a>
<header>
  <nav aria-label="${t('主导航', 'Main')}">
    <a class="brand" href="/">edumon <span>${t('焦作教育监测', 'Jiaozuo education monitor')}</span></a>
    <ul>${nav}</ul>
  </nav>
  <div class="tools">${who}
    <a href="/lang?to=${other}&amp;next=${encodeURIComponent(path)}" lang="${other}" hreflang="${other}">${other === 'en' ? 'English' : '中文'}</a>
  </div>
</header>
<main id="main">
<h1>${opts.title}</h1>
${opts.body}
</main>
${(opts.scripts ?? []).map((s) => html`<script src="${s}"></script>`)}
</body>
</html>`;
}

/** A moment as officials read it: `2025-07-12 10:55`, Asia/Shanghai, or an empty string for null. */
export function shanghaiText(moment: string | Date | null | undefined): string {
  if (moment === null || moment === undefined) return '';
  const s = formatShanghai(moment);
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(s) ? `${s.slice(0, 10)} ${s.slice(11, 16)}` : String(moment);
}

/** How long from `from` to `to`: `3 天 4 小时` / `3 d 4 h`, or `2 小时 5 分` under a day. */
export function durationText(fromMs: number, toMs: number, t: T): string {
  const minutes = Math.max(0, Math.floor((toMs - fromMs) / 60_000));
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  return d > 0 ? t(`${d} 天 ${h} 小时`, `${d} d ${h} h`) : t(`${h} 小时 ${m} 分`, `${h} h ${m} min`);
}

/** The hidden field every state-changing form carries. */
export const csrfField = (session: Session) => html`<input type="hidden" name="_csrf" value="${session.csrf}">`;

/** A refusal page (403 or 404) with one sentence saying why. */
export function refusal(c: Context<ConsoleEnv>, status: 403 | 404 | 400 | 429, title: string, why: string) {
  c.status(status);
  return c.html(
    page(c, { title, body: html`<p class="notice" role="alert">${why}</p><p><a href="/">${c.var.t('返回告警列表', 'Back to the alerts')}</a></p>` }),
  );
}

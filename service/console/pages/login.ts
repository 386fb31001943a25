/**
 * Signing in and out. The login form carries a token also set as a cookie (double submit: a form
 * posted from elsewhere cannot know it); a login makes a new session (rotated: nothing of an
 * earlier cookie survives) and goes back to the page asked for. A locked account or address is
 * told so, with until when (Asia/Shanghai).
 */
import { randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { html } from 'hono/html';
import type { LoginResult } from '../auth.ts';
import { type ConsoleEnv, page, shanghaiText } from '../layout.ts';
import { LOGIN_CSRF_COOKIE, type Register, SESSION_COOKIE, safeNext } from '../server.ts';

export const registerLogin: Register = (app, deps) => {
  const cookieOptions = { path: '/', httpOnly: true, sameSite: 'Lax', secure: deps.secureCookies } as const;

  const form = (c: Context<ConsoleEnv>, problem: string | null, login = '') => {
    const { t } = c.var;
    const token = randomBytes(18).toString('base64url');
    setCookie(c, LOGIN_CSRF_COOKIE, token, { ...cookieOptions, maxAge: 3600 });
    const next = safeNext(c.req.query('next'));
    const body = html`
<form method="post" action="/login?next=${encodeURIComponent(next)}" class="card narrow">
  ${problem ? html`<p class="notice" role="alert">${problem}</p>` : ''}
  <input type="hidden" name="_csrf" value="${token}">
  <label for="login">${t('登录名', 'Login')}</label>
  <input id="login" name="login" autocomplete="username" required value="${login}" autofocus>
  <label for="password">${t('口令', 'Password')}</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required>
  <button type="submit">${t('登录', 'Sign in')}</button>
</form>`;
    return page(c, { title: t('登录', 'Sign in'), body });
  };

  app.get('/login', (c) => c.html(form(c, null)));

  app.post('/login', async (c) => {
    const { t } = c.var;
    const body = await c.req.parseBody();
    const login = typeof body.login === 'string' ? body.login.trim().toLowerCase() : '';
    const password = typeof body.password === 'string' ? body.password : '';
    const result = await deps.auth.login(login, password, c.var.address);
    if (!result.ok) {
      c.status(result.reason === 'wrong' ? 401 : 429);
      return c.html(form(c, refusedText(result, t), login));
    }
    setCookie(c, SESSION_COOKIE, result.cookie, { ...cookieOptions, maxAge: deps.config.console.sessionMaxHours * 3600 });
    deleteCookie(c, LOGIN_CSRF_COOKIE, { path: '/' });
    return c.redirect(safeNext(c.req.query('next')), 303);
  });

  app.post('/logout', async (c) => {
    if (c.var.session) await deps.auth.logout(c.var.session, c.var.address);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.redirect('/login', 303);
  });
};

function refusedText(r: Extract<LoginResult, { ok: false }>, t: (zh: string, en: string) => string): string {
  const until = r.until ? shanghaiText(r.until) : '';
  switch (r.reason) {
    case 'wrong':
      return t('登录名或口令不正确。', 'Wrong login or password.');
    case 'locked':
      return t(`口令连续输错次数过多，账号已锁定至 ${until}（北京时间）。`, `Too many wrong passwords: the account is locked until ${until} (Beijing time).`);
    case 'addressLocked':
      return t(
        `此地址输错口令次数过多，暂停登录至 ${until}（北京时间）。`,
        `Too many wrong passwords from this address: logins refused until ${until} (Beijing time).`,
      );
    case 'disabled':
      return t('此账号已停用，请联系管理员。', 'This account is disabled: ask an administrator.');
  }
}

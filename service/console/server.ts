/**
 * The officials' console (issue 23): a hono app served by `edumon run` on its own port
 * (console.port, EDUMON_CONSOLE_PORT), server-rendered, Chinese first. This file wires what every
 * page shares: security headers (no request may leave the console's origin), the reader's language,
 * their session, CSRF on every state change (the Origin check of hono's csrf middleware, then the
 * session's token in the form), and the static files. The pages register themselves from pages/.
 */
import { timingSafeEqual } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { getConnInfo } from '@hono/node-server/conninfo';
import { type Context, Hono, type Next } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import type { AlertsAnswer, AlertsRequest } from '../../alerts/alertOps.ts';
import type { IngestState } from '../../alerts/feedWatermarks.ts';
import type { Config } from '../../core/config.ts';
import type { Logger } from '../../core/log.ts';
import { PROJECT_ROOT } from '../../core/projectRoot.ts';
import type { QueryPath } from '../api.ts';
import type { Auth } from './auth.ts';
import type { ConsoleDb } from './consoleDb.ts';
import { langOf, type T, translator } from './i18n.ts';
import { type ConsoleEnv, refusal } from './layout.ts';
import { canReach, type Page } from './roles.ts';

/** What the pages need from the running service. */
export interface ConsoleDeps {
  db: ConsoleDb;
  auth: Auth;
  config: Config;
  log: Logger;
  /** Alert actions (ack, silence, release), in turn with the rule sweeps (service/ruleSweeps.ts alerts). */
  alerts: (req: AlertsRequest) => Promise<AlertsAnswer>;
  /** The service's clock: what acknowledgements are dated with, and what "now" is for alerts (a test's controlled clock). */
  clock: () => Date;
  /** The key email links are signed with (core/linkKey.ts). */
  linkKey: string;
  /** Whether session cookies are marked Secure (the console is reached over https). */
  secureCookies: boolean;
  /** POST /query's read path (service/api.ts QueryPath): the SQL page's only way to the warehouse; absent, it runs nothing. */
  query?: QueryPath;
  /** What is known of ingestion now (the rules' view: lagging partitions, ends just read, the clock); the data-health page's feeds. */
  ingestState?: () => Promise<IngestState | undefined>;
  /** Messages published and not yet stored, as of the consumer's last check (about every second); undefined before it runs. */
  ingestBehind?: () => number | undefined;
  /**
   * Changes after every write to alerts, silences and acknowledgements (service/ruleSweeps.ts
   * version, plus the mail sender's recorded attempts for DQ-NOTIFY-FAILED); absent, nothing is cached.
   */
  alertsVersion?: () => number;
}

export const SESSION_COOKIE = 'edumon_session';

/** A page module: adds its routes to the app. */
export type Register = (app: Hono<ConsoleEnv>, deps: ConsoleDeps) => void;

/** The static files, read once: the stylesheet, the small scripts, and ECharts from its package. */
function staticFiles(): Map<string, { body: Buffer; type: string }> {
  const dir = join(PROJECT_ROOT, 'service', 'console', 'static');
  const require = createRequire(import.meta.url);
  const files = new Map<string, { body: Buffer; type: string }>();
  for (const name of readdirSync(dir)) {
    const type = name.endsWith('.css') ? 'text/css; charset=utf-8' : name.endsWith('.js') ? 'text/javascript; charset=utf-8' : null;
    if (type) files.set(name, { body: readFileSync(join(dir, name)), type });
  }
  files.set('echarts.min.js', { body: readFileSync(require.resolve('echarts/dist/echarts.min.js')), type: 'text/javascript; charset=utf-8' });
  return files;
}

/** Builds the console's app from its pages. */
export function createConsoleApp(deps: ConsoleDeps, pages: readonly Register[]): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const files = staticFiles();
  const publicOrigin = deps.config.console.publicUrl ? new URL(deps.config.console.publicUrl).origin : null;

  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
      },
      referrerPolicy: 'same-origin',
    }),
  );
  app.use('*', async (c, next) => {
    const lang = langOf(getCookie(c, 'lang'));
    c.set('lang', lang);
    c.set('t', translator(lang));
    c.set('address', addressOf(c));
    c.set('session', await deps.auth.session(getCookie(c, SESSION_COOKIE)));
    c.header('Cache-Control', 'no-store');
    await next();
  });
  // Forms posted from another origin are refused before anything reads them (hono's csrf: Origin,
  // then Sec-Fetch-Site); then every form must carry its session's token (or, to log in, the login form's).
  app.use('*', csrf({ origin: (origin, c) => origin === new URL(c.req.url).origin || origin === publicOrigin }));
  app.use('*', async (c, next) => {
    if (c.req.method !== 'POST') return next();
    const form = await c.req.parseBody();
    const sent = typeof form._csrf === 'string' ? form._csrf : '';
    const session = c.var.session;
    const expected = session ? session.csrf : (getCookie(c, LOGIN_CSRF_COOKIE) ?? '');
    if (!expected || !sameText(sent, expected)) {
      await deps.auth.audit({
        user: session?.user.id ?? null,
        action: `post ${new URL(c.req.url).pathname}`,
        outcome: 'refused',
        address: c.var.address,
        detail: 'missing or wrong CSRF token',
      });
      return refusal(c, 403, c.var.t('请求被拒绝', 'Request refused'), FORM_REFUSED(c.var.t));
    }
    return next();
  });

  app.get('/static/:file', (c) => {
    const f = files.get(c.req.param('file'));
    if (!f) return c.notFound();
    c.header('Cache-Control', 'public, max-age=3600');
    return c.body(new Uint8Array(f.body), 200, { 'Content-Type': f.type });
  });
  app.get('/lang', (c) => {
    const to = c.req.query('to') === 'en' ? 'en' : 'zh-CN';
    setCookie(c, 'lang', to, { path: '/', sameSite: 'Lax', maxAge: 365 * 86400, secure: deps.secureCookies });
    return c.redirect(safeNext(c.req.query('next')));
  });
  for (const register of pages) register(app, deps);
  app.notFound((c) => refusal(c, 404, c.var.t('页面不存在', 'Not found'), c.var.t('没有这个页面。', 'There is no such page.')));
  app.onError(async (err, c) => {
    // hono's csrf refuses a form posted from another origin by throwing: a refusal like the token's, not a failure.
    if (err instanceof HTTPException && err.status === 403 && c.var.t) {
      await deps.auth.audit({
        user: c.var.session?.user.id ?? null,
        action: `${c.req.method.toLowerCase()} ${new URL(c.req.url).pathname}`,
        outcome: 'refused',
        address: c.var.address,
        detail: `posted from another origin (${(c.req.header('origin') ?? 'no Origin').slice(0, 100)})`,
      });
      return refusal(c, 403, c.var.t('请求被拒绝', 'Request refused'), FORM_REFUSED(c.var.t));
    }
    if (err instanceof HTTPException) return err.getResponse();
    deps.log.error('console request failed', { path: new URL(c.req.url).pathname, error: String(err) });
    c.status(500);
    return c.text(c.var.t ? c.var.t('出错了，请稍后再试。', 'Something went wrong; try again later.') : 'error');
  });
  return app;
}

/** Why a form was refused: its token is missing or wrong, or it came from another site. */
const FORM_REFUSED = (t: T) => t('表单已过期或来源不明，请刷新页面后重试。', 'The form expired or came from elsewhere: reload the page and try again.');

/** The cookie the login form's token is kept in before there is a session (double submit). */
export const LOGIN_CSRF_COOKIE = 'edumon_login_csrf';

/**
 * Refuses a request that is not signed in (to the login page, then back) or whose role does not
 * reach `page` (403, audited). Use as the first handler of a page's routes.
 */
export function requirePage(deps: ConsoleDeps, pageName: Page) {
  return async (c: Context<ConsoleEnv>, next: Next) => {
    const session = c.var.session;
    if (!session) {
      if (c.req.method !== 'GET')
        return refusal(c, 403, c.var.t('请先登录', 'Sign in first'), c.var.t('会话已结束，请重新登录。', 'Your session ended: sign in again.'));
      const url = new URL(c.req.url);
      return c.redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`);
    }
    if (!canReach(session.user, pageName)) {
      await deps.auth.audit({
        user: session.user.id,
        action: `${c.req.method.toLowerCase()} ${pageName}`,
        target: new URL(c.req.url).pathname,
        outcome: 'refused',
        address: c.var.address,
        detail: `role ${session.user.role}`,
      });
      return refusal(c, 403, c.var.t('无权访问', 'Not allowed'), c.var.t('您的角色不能使用此页面。', 'Your role cannot use this page.'));
    }
    return next();
  };
}

/** A redirect target from a query string: a path on this console only, never another site. */
export function safeNext(next: string | undefined): string {
  return next && /^\/(?![/\\])/.test(next) ? next : '/';
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function addressOf(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

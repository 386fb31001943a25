/**
 * Issue 23's Done-when lines for the officials' console, in a real browser: headless Chromium
 * (Debian's, through playwright-core) against the console of one real `edumon run`, whose alerts
 * come from events published to Kafka, whose emails a real SMTP server receives, and whose clock
 * a test moves forward days at once (tests/helpers/consoleWorld.ts). One browser for the file, a
 * context per user. What is written is read back through the service (its /query route: the
 * service holds the warehouse file), the audit trail as the admin reads it (/admin/audit: analysts'
 * SQL, and so that route, may not read console_audit).
 *
 * The describes run in order and share the world: the end-to-end one acknowledges, silences and
 * releases alerts of 温县 and the storm, and leaves 武陟县's alert and the hostile school's alone
 * (the unacknowledged controls); the security one acts on 武陟县's alert and locks out `spare`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAckLink } from '../../alerts/notify/alertLinks.ts';
import { runEdumon, waitFor } from '../helpers/cli.ts';
import {
  type AlertLabel,
  CLOCK_START,
  type ConsoleWorld,
  EMAILS,
  EVENT_OF,
  LINK_KEY,
  PASSWORD,
  SCHOOLS,
  startConsoleWorld,
  type UserId,
} from '../helpers/consoleWorld.ts';

const HOSTILE = SCHOOLS.hostile.name;
const DAY = 86_400_000;
/** notify.renotifyHours (24) and escalateAfterDays (3) after the alerts were first mailed, and a day more. */
const AFTER_ESCALATION = '2025-07-18T10:00:00+08:00';
/** The week the clock makes the last ended one once it has jumped: its digest is compared with the indicators page. */
const DIGEST_WEEK = '2025-W28';
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let w: ConsoleWorld;
let browser: Browser;
/** Every request a console page made to another origin, and every dialog a page opened, over the whole file. */
const foreign: string[] = [];
const dialogs: string[] = [];
const contexts = new Map<string, BrowserContext>();

beforeAll(async () => {
  [w, browser] = await Promise.all([startConsoleWorld(), chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox'] })]);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await w?.stop();
});

/** A fresh browser context on the console, watched: requests elsewhere and dialogs are recorded. */
async function freshContext(): Promise<BrowserContext> {
  const ctx = await browser.newContext({ baseURL: w.url, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 1366, height: 768 } });
  // Generous: the machine may be busy; nothing here waits on time, only on pages.
  ctx.setDefaultTimeout(60_000);
  const origin = new URL(w.url).origin;
  ctx.on('request', (r) => {
    const url = r.url();
    if (!url.startsWith('data:') && new URL(url).origin !== origin) foreign.push(url);
  });
  ctx.on('page', (p) => p.on('dialog', (d) => void d.dismiss().finally(() => dialogs.push(`${d.type()}: ${d.message()} on ${p.url()}`))));
  return ctx;
}

/** Signs in on `page` as `user` (the login page, then back to where it was asked for). */
async function signIn(page: Page, user: UserId, password = PASSWORD): Promise<void> {
  if (!page.url().includes('/login')) await page.goto('/login');
  await page.fill('#login', user);
  await page.fill('#password', password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('form.card button[type=submit]')]);
}

/**
 * Sends a form by `click` and waits for the page it leads to, loaded: a form that comes back to the
 * page it was on (the board, an alert's page, the SQL page, the login page) is waited for by its
 * navigation, not by its URL, which already matches before it is sent.
 */
async function submit(page: Page, click: () => Promise<void>): Promise<void> {
  await Promise.all([page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame() }), click()]);
  await page.waitForLoadState('load');
}

/** `user`'s signed-in context, made once and kept for the file. */
async function as(user: UserId): Promise<{ ctx: BrowserContext; page: Page }> {
  let ctx = contexts.get(user);
  if (!ctx) {
    ctx = await freshContext();
    const page = await ctx.newPage();
    await signIn(page, user);
    contexts.set(user, ctx);
  }
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  return { ctx, page };
}

/** What a reader sees of `l`: Playwright's Locator.innerText, the text as rendered. */
// biome-ignore lint/performance/useDomNodeTextContent: not the DOM property; the rendered text is what is asserted.
const shown = (l: Locator) => l.innerText();
/** A page's visible text. */
const textOf = (page: Page) => shown(page.locator('body'));

/** The board's rows on `page` (it must show the board): the alert id each links to, its state and region words. */
async function boardRows(page: Page): Promise<Array<{ id: string; state: string; region: string; school: string }>> {
  return page.$$eval('table.alerts tbody tr', (trs) =>
    trs.map((tr) => {
      const cells = tr.querySelectorAll('td');
      const href = tr.querySelector('a[href^="/alerts/"]')?.getAttribute('href') ?? '';
      return {
        id: decodeURIComponent(href.slice('/alerts/'.length)),
        state: cells[1]?.textContent?.trim() ?? '',
        school: cells[3]?.textContent?.trim() ?? '',
        region: cells[4]?.textContent?.trim() ?? '',
      };
    }),
  );
}

/** The alert's row as the service reads it. */
async function alertRow(id: string) {
  const [row] = await w.query(`select status, acked_at, acked_by, ack_outcome, ack_note from alerts where id = '${id}'`);
  return row!;
}

/**
 * The acknowledge link (its path, /l/<token>) of alert `label` in the first email `to` received
 * about it: the plain text's 确认告警 line in the alert's block, which the HTML links too.
 */
function emailedLink(label: Exclude<AlertLabel, 'storm'>, to: string): string {
  const mail = w.catcher.accepted.find((m) => m.to.includes(to) && eventsIn(m.text).includes(EVENT_OF[label]));
  if (!mail) throw new Error(`no email to ${to} names ${EVENT_OF[label]}`);
  const block = mail.text.split(/\n\s*\n/).find((b) => b.includes(EVENT_OF[label]))!;
  const url = /确认告警：(\S+)/.exec(block)?.[1];
  if (!url) throw new Error(`the email to ${to} gives no acknowledge link for ${EVENT_OF[label]}:\n${block}`);
  expect(mail.html).toContain(`href="${url}"`);
  expect(new URL(url).origin).toBe(new URL(w.url).origin);
  return new URL(url).pathname;
}

/** An acknowledge link of alert `label` for `contact` signed with the service's key, expired a day before the clock started. */
function expiredLink(label: AlertLabel, contact: string): string {
  return `/l/${signAckLink({ alertId: w.ids[label], contactId: contact, expiresAt: new Date(Date.parse(CLOCK_START) - DAY) }, LINK_KEY)}`;
}

/** The event_ids (e2e-…) an email names: the alerts it is about. */
const eventsIn = (text: string) => [...new Set([...text.matchAll(/e2e-[a-z0-9-]+/g)].map((m) => m[0]))].sort();

/** One row of the audit trail as the admin's page (/admin/audit) shows it: the action as written (`ack`, `post /alerts/…/ack`). */
interface AuditRow {
  user: string;
  action: string;
  target: string;
  outcome: string;
  detail: string;
}

/**
 * The audit trail of `user` (the admin's /admin/audit, filtered by user; refusals only when
 * `refused`), oldest first. Through the admin's page: analysts' SQL, and so the service's query
 * path, may not read console_audit.
 */
async function auditOf(user: UserId, refused = false): Promise<AuditRow[]> {
  const { page } = await as('admin');
  await page.goto(`/admin/audit?user=${user}${refused ? '&outcome=refused' : ''}`);
  const rows = await page.$$eval('table.audit tbody tr', (trs) =>
    trs.map((tr) => {
      const cells = [...tr.querySelectorAll('td')];
      const text = (i: number) => cells[i]?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
      return {
        user: text(1),
        // The action in words, then as written (in <small>) when it has words.
        action: cells[2]?.querySelector('small')?.textContent?.trim() ?? text(2),
        target: text(3),
        outcome: text(4),
        detail: text(6),
      };
    }),
  );
  return rows.reverse();
}

describe('end to end: officials act on their alerts in the console', () => {
  it('shows a county official only their region: every row is 温县, none of 武陟县’s alerts', async () => {
    const { page } = await as('wen');
    await page.goto('/');
    const rows = await boardRows(page);
    expect(rows.map((r) => r.id).sort()).toEqual([w.ids.board, w.ids.link, w.ids.silence, w.ids.hostile].sort());
    for (const r of rows) expect(r.region).toBe('温县');
    expect(await page.content()).not.toContain(w.ids.wuzhi);
    expect(await textOf(page)).not.toContain('武陟县第一高级中学');
    // The city sees both counties.
    const city = (await as('city')).page;
    await city.goto('/');
    const cityRows = await boardRows(city);
    expect(cityRows.map((r) => r.id)).toEqual(expect.arrayContaining([w.ids.board, w.ids.wuzhi]));
  });

  it('acknowledges from the board with an outcome: the row shows 已确认, the alert’s page says what was found and by whom', async () => {
    const { page } = await as('wen');
    await page.goto('/');
    const row = page.locator('table.alerts tbody tr', { has: page.locator(`a[href="/alerts/${w.ids.board}"]`) });
    await row.locator('summary').click();
    await row.locator('input[name=outcome][value=fixed]').check();
    await row.locator('textarea[name=note]').fill('已责令学校退回该生，改由生源地录取');
    await submit(page, () => row.getByRole('button', { name: '确认告警' }).click());
    expect(new URL(page.url()).pathname).toBe('/');
    const after = (await boardRows(page)).find((r) => r.id === w.ids.board);
    expect(after?.state).toBe('已确认');

    expect(await alertRow(w.ids.board)).toMatchObject({
      status: 'open',
      acked_by: 'wen',
      ack_outcome: 'fixed',
      ack_note: '已责令学校退回该生，改由生源地录取',
    });
    const acks = await w.query(`select acked_by, outcome, note, acked_at from alert_acks where alert_id = '${w.ids.board}'`);
    expect(acks).toEqual([expect.objectContaining({ acked_by: 'wen', outcome: 'fixed' })]);
    // Dated by the service's clock.
    expect(String(acks[0]!.acked_at)).toMatch(/^2025-07-14 10:/);

    await page.goto(`/alerts/${w.ids.board}`);
    const facts = await textOf(page);
    expect(facts).toMatch(/确认\s+2025-07-14 10:\d\d · wen · 已整改/);
    expect(facts).toContain('已责令学校退回该生，改由生源地录取');
  });

  it('acknowledges from an email’s link: the link asks for a login, comes back to the alert, and acts only when the form is sent', async () => {
    // The link in the email 温县's contact received about the alert.
    const link = emailedLink('link', EMAILS.wen);
    expect(link).toMatch(/^\/l\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);

    const ctx = await freshContext();
    const page = await ctx.newPage();
    await page.goto(link);
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(new URL(page.url()).searchParams.get('next')).toBe(link);
    await signIn(page, 'wen');
    expect(new URL(page.url()).pathname).toBe(link);
    expect(await textOf(page)).toContain('您通过告警邮件中的确认链接打开此页');
    expect(await textOf(page)).toContain(w.ids.link);
    // Opening the link changed nothing.
    expect((await alertRow(w.ids.link)).acked_at).toBeNull();

    await page.locator('form.ack input[name=outcome][value=confirmed]').check();
    await page.locator('form.ack textarea[name=note]').fill('属实，已约谈校长');
    await submit(page, () => page.locator('form.ack button[type=submit]').click());
    expect(new URL(page.url()).pathname).toBe(link);
    expect(await textOf(page)).toMatch(/确认\s+2025-07-14 10:\d\d · wen · 确认违规/);
    expect(await alertRow(w.ids.link)).toMatchObject({ acked_by: 'wen', ack_outcome: 'confirmed' });
    expect((await auditOf('wen')).filter((r) => r.target === w.ids.link)).toEqual([
      expect.objectContaining({ action: 'ack', outcome: '成功', detail: 'confirmed; via email link to wen' }),
    ]);
    await ctx.close();
  });

  it('silences an alert’s rule for its school until a date, from the alert’s page: the board shows 已静默', async () => {
    const { page } = await as('wen');
    await page.goto(`/alerts/${w.ids.silence}`);
    const form = page.locator('form.silence');
    await form.locator('input[name=over][value=school]').check();
    await form.locator('input[name=until]').fill('2025-07-31');
    await form.locator('input[name=reason]').fill('学校已提交跨区录取审批材料，核实期间暂停提醒');
    await submit(page, () => form.locator('button[type=submit]').click());
    expect(new URL(page.url()).pathname).toBe(`/alerts/${w.ids.silence}`);
    // The page it returns to says so, with the end in Shanghai time and the reason.
    await expect
      .poll(() => page.locator('main').textContent())
      .toMatch(/状态\s*已静默（至 2025-07-31 23:59：学校已提交跨区录取审批材料，核实期间暂停提醒（wen））/);
    const silences = await w.query(`select rule, school_id, region_code, until, reason from silences`);
    expect(silences).toEqual([
      expect.objectContaining({ rule: 'ADM-CROSS-REGION', school_id: SCHOOLS.wen2.id, region_code: null, until: '2025-07-31 23:59:59+08:00' }),
    ]);
    expect(String(silences[0]!.reason)).toContain('（wen）');
    await page.goto('/');
    expect((await boardRows(page)).find((r) => r.id === w.ids.silence)?.state).toBe('已静默');
    // Nothing else of the rule is silenced: the hostile school's alert, another school, stays 待处理.
    expect((await boardRows(page)).find((r) => r.id === w.ids.hostile)?.state).toBe('待处理');
  });

  it('releases what the storm valve held: the data team, on DQ-ALERT-STORM’s page, and the six held alerts open', async () => {
    const { page } = await as('data');
    await page.goto(`/alerts/${w.ids.storm}`);
    expect(await textOf(page)).toContain('告警阀门为规则 ADM-OUT-OF-WINDOW 暂扣了 6 条告警');
    expect(await w.query(`select count(*)::int as n from alerts where rule = 'ADM-OUT-OF-WINDOW'`)).toEqual([{ n: 0 }]);
    await submit(page, () => page.getByRole('button', { name: '放行暂扣的告警' }).click());
    expect(new URL(page.url()).pathname).toBe(`/alerts/${w.ids.storm}`);
    expect(await w.query(`select status, count(*)::int as n from alerts where rule = 'ADM-OUT-OF-WINDOW' group by all`)).toEqual([{ status: 'open', n: 6 }]);
    expect((await alertRow(w.ids.storm)).status).toBe('resolved');
    expect(await textOf(page)).not.toContain('放行暂扣的告警');
    // 武陟县's official now sees them on the board.
    const wuzhi = (await as('wuzhi')).page;
    await wuzhi.goto('/?rule=ADM-OUT-OF-WINDOW');
    const rows = await boardRows(wuzhi);
    expect(rows).toHaveLength(6);
    for (const r of rows) expect([r.school, r.state]).toEqual([`${SCHOOLS.wuzhi2.name} ${SCHOOLS.wuzhi2.id}`, '待处理']);
    // A 温县 official may not release (role), whatever the alert.
    const wen = (await as('wen')).page;
    expect((await wen.goto(`/alerts/${w.ids.storm}`))?.status()).toBe(403);
  });

  it('mails no reminder and no escalation of the acknowledged or silenced alerts once the clock passes renotifyHours and escalateAfterDays; the unacknowledged ones are reminded and escalated', async () => {
    const before = w.catcher.accepted.length;
    await w.jumpClock(AFTER_ESCALATION);
    const later = () => w.catcher.accepted.slice(before);
    // The escalation is the last of the round's emails to be due; then nothing is left unsent.
    await waitFor(() => later().some((m) => m.to.includes(EMAILS.esc)), 120_000, 'the escalation email');
    let states: Record<string, unknown>[] = [];
    await waitFor(
      async () => {
        states = await w.query(`select state, count(*)::int as n from outbox group by all order by all`);
        return states.every((r) => r.state === 'sent');
      },
      120_000,
      'every email composed to be sent',
    ).catch((err: Error) => {
      throw new Error(`${err.message}: ${JSON.stringify(states)}`);
    });
    const reminders = () => later().filter((m) => m.subject.startsWith('【提醒】'));
    const escalations = () => later().filter((m) => m.subject.startsWith('【升级】'));
    const to = (who: string, list: ReturnType<typeof reminders>) => list.filter((m) => m.to.includes(who)).flatMap((m) => eventsIn(m.text));
    // The controls, never acknowledged: reminded to their county and the city, escalated. The two
    // lanes' rounds compose their emails in either order on a busy machine: wait for all of them.
    await waitFor(
      () =>
        to(EMAILS.wen, reminders()).includes(EVENT_OF.hostile) &&
        to(EMAILS.wuzhi, reminders()).includes(EVENT_OF.wuzhi) &&
        [EVENT_OF.hostile, EVENT_OF.wuzhi].every((e) => to(EMAILS.esc, escalations()).includes(e)),
      120_000,
      'the reminders and escalations of the unacknowledged controls',
    ).catch((err: Error) => {
      throw new Error(`${err.message}; received since the jump: ${JSON.stringify(later().map((m) => [m.subject, m.to, eventsIn(m.text)]))}`);
    });
    expect(to(EMAILS.wen, reminders())).toEqual([EVENT_OF.hostile]);
    // The acknowledged and the silenced: in no email after the jump, to anyone.
    for (const m of later())
      for (const quiet of [EVENT_OF.board, EVENT_OF.link, EVENT_OF.silence]) expect(eventsIn(m.text), `${m.subject} to ${m.to}`).not.toContain(quiet);
  });

  it('shows on the indicators page what that week’s digest email said, figure for figure', async () => {
    // The week the clock now makes the last ended one, its digests sent as the weekly job sends them.
    const sent = await runEdumon(['digest', '--send', '--week', DIGEST_WEEK], w.env);
    expect(sent.code, sent.output).toBe(0);
    await waitFor(() => w.catcher.accepted.some((m) => m.to.includes(EMAILS.wen) && m.subject.startsWith('【周报】')), 120_000, '温县’s digest');
    const mail = w.catcher.accepted.find((m) => m.to.includes(EMAILS.wen) && m.subject.startsWith('【周报】'))!;
    expect(mail.subject).toContain(DIGEST_WEEK);

    const { page } = await as('wen');
    await page.goto('/indicators');
    expect(await page.locator('input[name=week]').inputValue()).toBe(DIGEST_WEEK);
    const figures = await page.$$eval('table.indicators tbody', (bodies) =>
      bodies.map((b) => {
        const head = b.querySelector('th[scope=rowgroup]');
        const flat = (s: string | null | undefined) => (s ?? '').replace(/\s+/g, ' ').trim();
        return {
          name: flat(head?.firstChild?.textContent),
          target: flat(head?.querySelector('small.target')?.textContent),
          // Value, met and change, as the email's line has them (the change without its 改善/退步 word; no 说明).
          rows: [...b.querySelectorAll('tr')].map((tr) =>
            [...tr.querySelectorAll('td')].slice(0, 3).map((td) => flat([...td.childNodes].map((n) => (n.nodeName === 'SMALL' ? '' : n.textContent)).join(''))),
          ),
        };
      }),
    );
    const lines = mail.text.split('\n').map((l) => l.replace(/\s+/g, ' ').trim());
    expect(figures.length).toBeGreaterThanOrEqual(10);
    for (const f of figures) {
      const at = lines.indexOf(`${f.name}（${f.target}）`);
      expect(at, `${f.name}（${f.target}） in the email`).toBeGreaterThan(-1);
      f.rows.forEach((row, i) => {
        const said = `温县 ${row.join(' ')}`;
        expect(lines[at + 1 + i]!.startsWith(said), `${f.name}: page "${said}", email "${lines[at + 1 + i]}"`).toBe(true);
      });
    }
    // Values, not only 无数据: the children and students the world enrolled.
    expect(lines).toContain('学前三年毛入园率（目标 ≥ 97.0%）');
    expect(figures.find((f) => f.name === '学前三年毛入园率')?.rows[0]?.[0]).toBe('97.0%');
    expect(figures.find((f) => f.name === '高中阶段毛入学率')?.rows[0]?.[0]).toBe('60.0%');
  });

  it('refuses a hostile statement on the SQL page, writing nothing, and downloads an answer as a CSV a spreadsheet opens safely', async () => {
    const { page } = await as('analyst');
    await page.goto('/sql');
    const run = async (sql: string, format: 'table' | 'csv') => {
      await page.fill('#sql', sql);
      return page.click(`form.sql button[value=${format}]`);
    };
    const copied = join(w.t.dir, 'stolen.csv');
    for (const hostile of [`copy (select * from alerts) to '${copied}'`, 'select * from console_users', `select * from read_csv('/etc/passwd')`]) {
      await submit(page, () => run(hostile, 'table'));
      expect(await shown(page.locator('#answer[role=alert]')), hostile).toContain('查询被拒绝或未能完成');
      expect(await page.locator('table.answer').count(), hostile).toBe(0);
    }
    expect(existsSync(copied)).toBe(false);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      run(`select school_id, name, '=1+1' as formula from current_schools where region_code = '${SCHOOLS.hostile.region}' order by school_id`, 'csv'),
    ]);
    expect(download.suggestedFilename()).toMatch(/^edumon-query-2025\d{4}-\d{4}\.csv$/);
    const bytes = readFileSync((await download.path())!);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.subarray(3).toString('utf8');
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.slice(0, -2).split('\r\n')).toEqual([
      'school_id,name,formula',
      `${SCHOOLS.wenKg.id},${SCHOOLS.wenKg.name},'=1+1`,
      `${SCHOOLS.wen1.id},${SCHOOLS.wen1.name},'=1+1`,
      `${SCHOOLS.wen2.id},${SCHOOLS.wen2.name},'=1+1`,
      `${SCHOOLS.hostile.id},${HOSTILE},'=1+1`,
    ]);
  });
});

describe('security: what the 温县 official may not do to 武陟县, forged forms and links, lockout, hostile names, other origins', () => {
  it('refuses the 温县 official 武陟县’s alert by page, link and forged form, writes nothing, and audits each refusal', async () => {
    const { ctx, page } = await as('wen');
    const id = w.ids.wuzhi;
    const before = await alertRow(id);
    expect((await page.goto(`/alerts/${id}`))?.status()).toBe(403);
    expect(await textOf(page)).toContain('此告警不存在，或不在您负责的区域内');
    // The link 武陟县's contact was mailed, opened by 温县's official.
    expect((await page.goto(emailedLink('wuzhi', EMAILS.wuzhi)))?.status()).toBe(403);
    // Forged forms: a valid session and its CSRF token, the console's own origin, another county's alert.
    await page.goto('/');
    const csrf = await page.locator('input[name=_csrf]').first().inputValue();
    const post = (path: string, form: Record<string, string>) =>
      ctx.request.post(path, { form: { _csrf: csrf, ...form }, headers: { Origin: w.url }, maxRedirects: 0 });
    expect((await post(`/alerts/${id}/ack`, { outcome: 'false_alarm', note: '伪造' })).status()).toBe(403);
    expect((await post(`/alerts/${id}/silence`, { over: 'region', until: '2025-12-31', reason: '伪造' })).status()).toBe(403);

    expect(await alertRow(id)).toEqual(before);
    expect(before).toMatchObject({ status: 'open', acked_at: null, acked_by: null, ack_outcome: null });
    expect(await w.query(`select count(*)::int as n from alert_acks where alert_id = '${id}'`)).toEqual([{ n: 0 }]);
    expect(await w.query(`select count(*)::int as n from silences where region_code = '410823' or school_id = '${SCHOOLS.wuzhi1.id}'`)).toEqual([{ n: 0 }]);
    expect((await auditOf('wen', true)).filter((r) => r.target === id)).toEqual(
      ['view alert', 'open link', 'ack', 'silence'].map((action) => expect.objectContaining({ action, outcome: '拒绝', detail: 'outside scope (410823)' })),
    );
  });

  it('refuses a form without its CSRF token, or posted from another origin, and writes nothing', async () => {
    const { ctx } = await as('wen');
    const id = w.ids.hostile;
    const without = await ctx.request.post(`/alerts/${id}/ack`, { form: { outcome: 'confirmed' }, headers: { Origin: w.url }, maxRedirects: 0 });
    expect(without.status()).toBe(403);
    expect(await without.text()).toContain('表单已过期或来源不明');
    const csrf = await (await as('wen')).page.locator('input[name=_csrf]').first().inputValue();
    const elsewhere = await ctx.request.post(`/alerts/${id}/ack`, {
      form: { _csrf: csrf, outcome: 'confirmed' },
      headers: { Origin: 'https://evil.example' },
      maxRedirects: 0,
    });
    expect(elsewhere.status()).toBe(403);
    expect(await elsewhere.text()).toContain('表单已过期或来源不明');
    expect((await alertRow(id)).acked_at).toBeNull();
    const refused = (await auditOf('wen', true)).filter((r) => r.action === `post /alerts/${id}/ack`);
    expect(refused.map((r) => r.detail)).toEqual(['missing or wrong CSRF token', 'posted from another origin (https://evil.example)']);
  });

  it('refuses a link with one byte changed and an expired one; opening a valid link changes nothing', async () => {
    const { page } = await as('wen');
    const valid = emailedLink('hostile', EMAILS.wen);
    const sig = valid.lastIndexOf('.') + 10;
    const tampered = `${valid.slice(0, sig)}${valid[sig] === 'A' ? 'B' : 'A'}${valid.slice(sig + 1)}`;
    expect((await page.goto(tampered))?.status()).toBe(400);
    expect(await textOf(page)).toContain('此确认链接无效');
    // Expired the day before the clock started (the clock is now days past it).
    expect((await page.goto(expiredLink('hostile', 'wen')))?.status()).toBe(400);
    expect(await textOf(page)).toContain('此确认链接已过期');
    expect((await page.goto(valid))?.status()).toBe(200);
    expect(await textOf(page)).toContain('您通过告警邮件中的确认链接打开此页');
    expect(await alertRow(w.ids.hostile)).toMatchObject({ acked_at: null, acked_by: null, ack_outcome: null });
    const links = (await auditOf('wen', true)).filter((r) => r.action === 'open link' && r.target === '');
    expect(links.map((r) => r.detail)).toEqual(['link tampered', 'link expired']);
  });

  it('locks an account after five wrong passwords in a row, and the login page says so and until when', async () => {
    const ctx = await freshContext();
    const page = await ctx.newPage();
    await page.goto('/login');
    const tried = Date.now();
    for (let i = 1; i <= 5; i++) {
      await page.fill('#login', 'spare');
      await page.fill('#password', `wrong-${i}`);
      await submit(page, () => page.click('form.card button[type=submit]'));
      if (i < 5) expect(await shown(page.locator('[role=alert]'))).toBe('登录名或口令不正确。');
    }
    const said = await shown(page.locator('[role=alert]'));
    expect(said).toMatch(/^口令连续输错次数过多，账号已锁定至 \d{4}-\d\d-\d\d \d\d:\d\d（北京时间）。$/);
    // Until lockMinutes (15) after the fifth, in Beijing time.
    const [, day, time] = /锁定至 (\d{4}-\d\d-\d\d) (\d\d:\d\d)/.exec(said)!;
    const until = Date.parse(`${day}T${time}:00+08:00`);
    expect(until).toBeGreaterThanOrEqual(tried + 14 * 60_000);
    expect(until).toBeLessThanOrEqual(Date.now() + 15 * 60_000);
    // The right password does not open it now.
    await page.fill('#login', 'spare');
    await page.fill('#password', PASSWORD);
    await submit(page, () => page.click('form.card button[type=submit]'));
    expect(await shown(page.locator('[role=alert]'))).toContain('账号已锁定至');
    expect(new URL(page.url()).pathname).toBe('/login');
    await ctx.close();
  });

  it('shows the school named <img src=x onerror=alert(1)> as text on every page that shows it', async () => {
    const pages: Array<[UserId, string]> = [
      ['wen', '/'],
      ['wen', `/alerts/${w.ids.hostile}`],
      ['wen', emailedLink('hostile', EMAILS.wen)],
      ['wen', `/?school=${encodeURIComponent(HOSTILE)}`],
      ['city', '/'],
      ['admin', '/'],
      ['admin', `/alerts/${w.ids.hostile}`],
    ];
    for (const [user, path] of pages) {
      const { page } = await as(user);
      await page.goto(path);
      expect(await textOf(page), `${user} ${path}`).toContain(HOSTILE);
      expect(await page.locator('img').count(), `${user} ${path}`).toBe(0);
    }
    // An analyst's answer on the SQL page.
    const { page } = await as('analyst');
    await page.goto('/sql');
    await page.fill('#sql', `select name from current_schools where school_id = '${SCHOOLS.hostile.id}'`);
    await submit(page, () => page.click('form.sql button[value=table]'));
    expect(await shown(page.locator('table.answer tbody'))).toBe(HOSTILE);
    expect(await page.locator('img').count()).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it('makes no request outside its origin on a tour of every page each role reaches', { timeout: 300_000 }, async () => {
    const origin = new URL(w.url).origin;
    /** A page's kind: its path without the query, every alert's page one kind, every user's one. One of each is visited, two alerts' pages. */
    const kindOf = (path: string) =>
      new URL(path, origin).pathname.replace(/^\/alerts\/[^/]+/, '/alerts/:id').replace(/^\/admin\/users\/[^/]+/, '/admin/users/:id');
    const most = (kind: string) => (kind === '/alerts/:id' ? 2 : 1);
    for (const user of ['wen', 'wuzhi', 'city', 'data', 'analyst', 'admin'] as const) {
      const { page } = await as(user);
      const visits = new Map<string, number>();
      const seen = new Set<string>();
      const queue = ['/'];
      while (queue.length) {
        const path = queue.shift()!;
        if (seen.has(path) || (visits.get(kindOf(path)) ?? 0) >= most(kindOf(path))) continue;
        seen.add(path);
        visits.set(kindOf(path), (visits.get(kindOf(path)) ?? 0) + 1);
        // A link to a download (the indicators' workbook) starts one instead of showing a page.
        const res = await page.goto(path).catch((err: Error) => {
          if (/Download is starting/.test(err.message)) return 'download' as const;
          throw err;
        });
        if (res === 'download') continue;
        expect(res?.status(), `${user} ${path}`).toBeLessThan(500);
        const hrefs = await page.$$eval('a[href]', (links) => links.map((a) => a.getAttribute('href') ?? ''));
        for (const href of hrefs) {
          const u = new URL(href, origin);
          // The language switch is toured below, once.
          if (u.origin !== origin) foreign.push(`${user} ${path} links to ${u.href}`);
          else if (u.pathname !== '/lang') queue.push(u.pathname + u.search);
        }
      }
      // In English, and back.
      await page.goto('/lang?to=en&next=/');
      expect(await page.locator('html').getAttribute('lang')).toBe('en');
      await page.goto('/lang?to=zh-CN&next=/');
      expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
      expect(seen.size, `${user}: ${[...seen].join(' ')}`).toBeGreaterThan(1);
    }
    expect(foreign).toEqual([]);
    expect(dialogs).toEqual([]);
  });
});

describe('accessibility', () => {
  /**
   * axe-core's serious and critical violations on `page` as it is. axe is evaluated through the
   * browser's developer protocol, which the console's CSP (no inline script) does not govern.
   */
  async function axeProblems(page: Page): Promise<string[]> {
    if (!(await page.evaluate('typeof axe !== "undefined"'))) await page.evaluate(AXE);
    const violations = (await page.evaluate(
      `axe.run(document).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) })))`,
    )) as Array<{ id: string; impact: string; help: string; nodes: string[] }>;
    return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.join('; ')})`);
  }

  it('finds no serious or critical axe violation on the login page and every page of the console', { timeout: 300_000 }, async () => {
    const signedOut = await freshContext();
    const login = await signedOut.newPage();
    await login.goto('/login');
    expect(await axeProblems(login), 'the login page').toEqual([]);
    // The login page telling of a wrong password.
    await login.fill('#login', 'wen');
    await login.fill('#password', 'not-the-password');
    await submit(login, () => login.click('form.card button[type=submit]'));
    expect(await axeProblems(login), 'the login page with a wrong password').toEqual([]);
    await signedOut.close();
    const pages: Array<[UserId, string]> = [
      ['city', '/'],
      ['wen', `/alerts/${w.ids.board}`],
      ['data', `/alerts/${w.ids.storm}`],
      ['wen', emailedLink('hostile', EMAILS.wen)],
      ['wen', `/alerts/${w.ids.wuzhi}`],
      ['wen', '/indicators'],
      ['city', '/indicators'],
      ['city', '/quality'],
      ['data', '/health'],
      ['analyst', '/sql?example=02_cross_region_admissions_by_county'],
      ['admin', '/admin/users'],
      ['admin', '/admin/users/wen'],
      ['admin', '/admin/audit'],
    ];
    for (const [user, path] of pages) {
      const { page } = await as(user);
      await page.goto(path);
      // The board's folded acknowledge forms, open.
      await page.$$eval('details', (ds) => {
        for (const d of ds) d.setAttribute('open', '');
      });
      expect(await axeProblems(page), `${user} ${path}`).toEqual([]);
    }
  });

  it('shows the board without sideways scrolling at 1366x768 and on a phone (390x844)', async () => {
    for (const user of ['wen', 'city'] as const) {
      const { page } = await as(user);
      for (const viewport of [
        { width: 1366, height: 768 },
        { width: 390, height: 844 },
      ]) {
        await page.setViewportSize(viewport);
        await page.goto('/');
        const [scrollWidth, innerWidth] = (await page.evaluate('[document.documentElement.scrollWidth, window.innerWidth]')) as [number, number];
        expect(scrollWidth, `${user} at ${viewport.width}x${viewport.height}`).toBeLessThanOrEqual(innerWidth + 1);
      }
      await page.setViewportSize({ width: 1366, height: 768 });
    }
  });
});

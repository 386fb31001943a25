/**
 * The console's data-health and SQL pages (issue 23, parts 8 and 9) on one real `edumon run`,
 * signed in over HTTP as a browser would be (the login form's token and cookie, an Origin header,
 * the session cookie). Data health: every feed, the rejections by reason and the outbox by state
 * for the data team; refused to a county official and to an analyst. SQL: a query shown as a
 * table; hostile statements refused with the very message POST /query gives; the CSV download in
 * edumon's dialect (BOM, CRLF, no formula) and the Parquet one a Parquet file; a worked example
 * loaded by its link; each run audited.
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeOutbox } from '../../alerts/notify/outbox.ts';
import { connect, openWarehouse } from '../../core/db.ts';
import { feedLabels, feeds, topicsOf } from '../../domain/topics.ts';
import { migrate } from '../../pipeline/migrate.ts';
import { readServiceFile } from '../../service/client.ts';
import { usersRequest } from '../../service/console/userStore.ts';
import { type Running, spawnEdumon, waitFor } from '../helpers/cli.ts';
import { coveredCalendar } from '../helpers/coveredCalendar.ts';
import { testEnv } from '../helpers/testEnv.ts';

const t = testEnv('console-health-sql');
const configFile = join(t.dir, 'config.json');
// A covered holiday calendar: no DQ-CALENDAR-STALE email joins the outbox this test counts.
writeFileSync(configFile, JSON.stringify({ notify: { calendarOverrides: coveredCalendar() } }));
const env = { ...t.env, EDUMON_CONFIG: configFile };
const PASSWORD = 'correct-horse-battery-42';
const HOSTILE_FILE = join(t.dir, 'x.csv');
const HOSTILE = [`copy alerts to '${HOSTILE_FILE}'`, `attach '${join(t.dir, 'other.duckdb')}' as other`, `select * from read_csv('/etc/passwd')`];

let service: Running | undefined;
let base = '';
let api: { port: number; token: string };

beforeAll(async () => {
  // Users, a rejected message and two emails, written before the service holds the warehouse.
  const instance = await openWarehouse(t.config.warehouse);
  const conn = await connect(instance);
  await migrate(conn);
  for (const [id, role, regions] of [
    ['data1', 'data', []],
    ['ana1', 'analyst', []],
    ['county1', 'county', ['410802']],
  ] as const)
    await usersRequest(conn, { action: 'add', id, name: `测试 ${id}`, role, regions: [...regions], password: PASSWORD });
  await conn.run(
    `insert into rejections values ('${topicsOf(t.config).registry}', 0, 7, 'type: unknown event type "staff.teleported"', '${'ab'.repeat(32)}', 42, now())`,
  );
  const email = (id: string) => ({
    id,
    messageId: `<${id}@edumon.localhost>`,
    contactId: `contact-${id}`,
    address: `${id}@example.cn`,
    kind: 'alerts' as const,
    subject: `<b>告警</b> ${id}`,
    html: '<p>x</p>',
    text: 'x',
    attachments: [],
    alertIds: [],
    createdAt: new Date().toISOString(),
  });
  await writeOutbox(conn, [email('mail-pending'), email('mail-held')]);
  await conn.run(`update outbox set state = 'held', hold_reason = 'test' where id = 'mail-held'`);
  conn.closeSync();
  instance.closeSync();

  service = spawnEdumon(['run'], env);
  await waitFor(() => service!.output().includes('pipeline running'), 60_000, 'the service to start');
  const info = readServiceFile(t.config.warehouse)!;
  base = info.console!;
  api = { port: info.port, token: info.token };
}, 90_000);

afterAll(async () => {
  if (service && service.child.exitCode === null) {
    service.child.kill('SIGTERM');
    await service.exited;
  }
  rmSync(t.dir, { recursive: true, force: true });
});

const sessions = new Map<string, ReturnType<typeof signIn>>();
/** `login`'s browser, signed in once (a sign-in hashes the password: a deliberately slow step). */
const browserOf = (login: string) => {
  if (!sessions.has(login)) sessions.set(login, signIn(login));
  return sessions.get(login)!;
};

/** A signed-in browser: its cookies, and a fetch that sends them (and the console's Origin on a POST). */
async function signIn(login: string) {
  const form = await fetch(`${base}/login`);
  const loginCookie = cookieOf(form, 'edumon_login_csrf');
  const token = csrfOf(await form.text());
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { origin: base, cookie: `edumon_login_csrf=${loginCookie}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: token, login, password: PASSWORD }),
  });
  expect(res.status, `signing in as ${login}`).toBe(303);
  const cookie = `edumon_session=${cookieOf(res, 'edumon_session')}`;
  const get = (path: string) => fetch(`${base}${path}`, { headers: { cookie }, redirect: 'manual' });
  const csrf = csrfOf(await (await get('/sql')).text().catch(() => ''));
  const post = (path: string, fields: Record<string, string>, withToken = true) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { origin: base, cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(withToken ? { _csrf: csrf, ...fields } : fields),
    });
  return { get, post };
}

function cookieOf(res: Response, name: string): string {
  const found = res.headers
    .getSetCookie()
    .map((c) => c.split(';', 1)[0]!)
    .find((c) => c.startsWith(`${name}=`));
  if (!found) throw new Error(`no ${name} cookie in ${res.status} ${res.url}`);
  return found.slice(name.length + 1);
}

const csrfOf = (page: string) => /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';

/** Text as hono/html writes it into a page. */
const escaped = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** POST /query's refusal of `sql` (its JSON `error`). */
async function apiRefusal(sql: string): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${api.port}/query`, {
    method: 'POST',
    headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ sql }),
  });
  expect(res.status).toBe(400);
  return ((await res.json()) as { error: string }).error;
}

describe('data health', () => {
  it('shows the data team every feed, the rejections by reason and the outbox by state, every value escaped', async () => {
    const data = await browserOf('data1');
    const res = await data.get('/health');
    expect(res.status).toBe(200);
    const page = await res.text();
    for (const feed of feeds) expect(page).toContain(feedLabels[feed].zh);
    // Nothing stored yet: every feed says so in words.
    expect(page.match(/无数据/g)?.length).toBe(feeds.length);
    expect(page).toContain(escaped('type: unknown event type "staff.teleported"'));
    expect(page).toContain(topicsOf(t.config).dlq);
    for (const state of ['待发送', '结果未知', '已暂停', '发送失败', '已发送']) expect(page).toContain(state);
    expect(page).toContain('contact-mail-held');
    expect(page).toContain('&lt;b&gt;告警&lt;/b&gt; mail-held');
    expect(page).not.toContain('<b>告警</b>');
    expect(page).not.toContain('held@example.cn');
  });

  it('is refused to a county official and to an analyst', async () => {
    for (const login of ['county1', 'ana1']) {
      const res = await (await browserOf(login)).get('/health');
      expect(res.status, login).toBe(403);
    }
  });
});

describe('the alerts board', () => {
  it('sends a page past the end (its last row just acknowledged, an old link) to the first page, filters kept', async () => {
    const data = await browserOf('data1');
    const res = await data.get('/?state=open&page=999');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/?state=open');
    expect((await data.get('/?state=open')).status).toBe(200);
  });
});

describe('SQL for analysts', () => {
  let analyst: Awaited<ReturnType<typeof signIn>>;
  beforeAll(async () => {
    analyst = await browserOf('ana1');
  });

  it('lists the worked examples, and a link puts one in the box', async () => {
    const list = await (await analyst.get('/sql')).text();
    expect(list).toContain('href="/sql?example=01_township_central_kindergartens"');
    const one = await (await analyst.get('/sql?example=01_township_central_kindergartens')).text();
    expect(one).toMatch(/<textarea[^>]*>-- 问题：哪些乡镇缺少乡镇公办中心幼儿园/);
    expect(one).toContain('from current_townships t');
  });

  it('runs a query and shows its answer as a table', async () => {
    const res = await analyst.post('/sql', { sql: 'select 1 as x', format: 'table' });
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toMatch(/<th scope="col">x<br><small>INTEGER<\/small><\/th>/);
    expect(page).toContain('<td class="num">1</td>');
    expect(page).toContain('共 1 行');
  });

  it('escapes every cell', async () => {
    const page = await (await analyst.post('/sql', { sql: `select '<img src=x onerror=alert(1)>' as "<i>c</i>"`, format: 'table' })).text();
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).toContain('&lt;i&gt;c&lt;/i&gt;');
    expect(page).not.toContain('<img src=x');
  });

  it('refuses hostile statements with the message POST /query gives, and writes nothing', async () => {
    for (const sql of HOSTILE) {
      const message = await apiRefusal(sql);
      const res = await analyst.post('/sql', { sql, format: 'table' });
      expect(res.status, sql).toBe(400);
      const page = await res.text();
      expect(page, sql).toMatch(/<div class="notice" role="alert"/);
      expect(page, sql).toContain(escaped(message));
      for (const format of ['csv', 'parquet']) {
        const download = await analyst.post('/sql', { sql, format });
        expect(download.status, `${sql} as ${format}`).toBe(400);
        expect(download.headers.get('content-type')).toMatch(/^text\/html/);
        expect(await download.text()).toContain(escaped(message));
      }
    }
    expect(existsSync(HOSTILE_FILE)).toBe(false);
  });

  it('downloads CSV in the spreadsheet-safe dialect', async () => {
    const res = await analyst.post('/sql', { sql: `select '=1+1' as f, -3 as n union all select 'a,b', 4`, format: 'csv' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="edumon-query-\d{8}-\d{4}\.csv"$/);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.toString('utf8')).toBe(`\ufefff,n\r\n'=1+1,-3\r\n"a,b",4\r\n`);
  });

  it('downloads Parquet', async () => {
    const res = await analyst.post('/sql', { sql: 'select 1 as x, 2 as y', format: 'parquet' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/\.parquet"$/);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.subarray(0, 4).toString()).toBe('PAR1');
    expect(bytes.subarray(-4).toString()).toBe('PAR1');
  });

  it('refuses a query form without its token, and the data team may use the page too', async () => {
    expect((await analyst.post('/sql', { sql: 'select 1', format: 'table' }, false)).status).toBe(403);
    const data = await browserOf('data1');
    expect((await data.post('/sql', { sql: 'select 2 as y', format: 'table' })).status).toBe(200);
    // An identifier typed into a statement, as a literal and in the error DuckDB quotes it back in.
    expect((await data.post('/sql', { sql: `select 'G410821200901011234' as id`, format: 'table' })).status).toBe(200);
    expect((await data.post('/sql', { sql: `select cast('G410821200901011234' as integer)`, format: 'table' })).status).toBe(400);
    const county = await browserOf('county1');
    expect((await county.get('/sql')).status).toBe(403);
  });

  it('audits each run: who, the start of the SQL without the values typed in, ok or refused', async () => {
    service!.child.kill('SIGTERM');
    expect(await service!.exited).toBe(0);
    const instance = await openWarehouse(t.config.warehouse, { readOnly: true });
    const conn = await connect(instance);
    try {
      const rows = (
        await conn.runAndReadAll(`select user_id, action, outcome, detail from console_audit where action like 'sql %' order by happened_at`)
      ).getRowObjectsJson();
      expect(rows).toContainEqual({ user_id: 'ana1', action: 'sql table', outcome: 'ok', detail: 'select 1 as x' });
      expect(rows).toContainEqual({ user_id: 'data1', action: 'sql table', outcome: 'ok', detail: 'select 2 as y' });
      const refused = rows.filter((r) => r.outcome === 'refused');
      expect(rows).toContainEqual({ user_id: 'data1', action: 'sql table', outcome: 'ok', detail: 'select ? as id' });
      expect(JSON.stringify(rows)).not.toContain('410821200901011234');
      expect(refused.length).toBe(HOSTILE.length * 3 + 1);
      expect(refused.some((r) => String(r.detail).startsWith('copy alerts to ?'))).toBe(true);
      expect(rows.filter((r) => r.outcome === 'ok' && r.action !== 'sql table').map((r) => r.action)).toEqual(['sql csv', 'sql parquet']);
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });
});

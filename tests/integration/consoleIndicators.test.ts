/**
 * The console's indicators page (issue 23, part 7) on a real DuckDB file holding the digest tests'
 * two-county world (tests/helpers/digestWorld.ts, 温县 gaining three children in 2025-W27): the
 * console app as `edumon run` serves it (every page), driven in-process, no service spawned. The
 * page for a week and region shows what that week's digest preview (`edumon digest --week --region`,
 * alerts/digest/digestRequest.ts) shows, line for line; its workbook is the preview's; a county
 * official asking another region, by page or by workbook, is refused and audited.
 */
import { rmSync } from 'node:fs';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestRequest } from '../../alerts/digest/digestRequest.ts';
import { connect, openWarehouse } from '../../core/db.ts';
import { createLogger } from '../../core/log.ts';
import { createAuth } from '../../service/console/auth.ts';
import { type ConsoleDb, openConsoleDb } from '../../service/console/consoleDb.ts';
import { consolePages } from '../../service/console/pages/index.ts';
import { createConsoleApp, SESSION_COOKIE } from '../../service/console/server.ts';
import { usersRequest } from '../../service/console/userStore.ts';
import { twoCountyWorld } from '../helpers/digestWorld.ts';
import { testEnv } from '../helpers/testEnv.ts';

const t = testEnv('console-indicators');
/** The service's clock: Wednesday of 2025-W28, so the last week ended is 2025-W27. */
const NOW = new Date('2025-07-09T10:00:00+08:00');
let instance: DuckDBInstance;
let conn: DuckDBConnection;
let db: ConsoleDb;
let app: ReturnType<typeof createConsoleApp>;
const cookies: Record<string, string> = {};

beforeAll(async () => {
  instance = await openWarehouse(t.env.EDUMON_WAREHOUSE!);
  conn = await connect(instance);
  // 温县 97 -> 100 of 100 children in W27 (学前三年毛入园率 +3.0 points); 武陟县 stays at 90.
  await twoCountyWorld().students('4108250001', 3, { level: 'kindergarten', grade: 1, year: 2025, class_id: 'k2' }, '2025-07-02T09:00:00+08:00').store(conn);
  await usersRequest(conn, { action: 'add', id: 'wen', name: '温县教育局', role: 'county', regions: ['410825'], password: 'wen-password-1' });
  await usersRequest(conn, { action: 'add', id: 'city', name: '市教育局', role: 'city', password: 'city-password-1' });
  db = await openConsoleDb(instance, 2);
  const auth = createAuth(db, t.config.console, () => NOW);
  const deps = {
    db,
    auth,
    config: t.config,
    log: createLogger({ level: 'error' }),
    alerts: () => Promise.reject(new Error('no alert actions here')),
    clock: () => NOW,
    linkKey: 'test-link-key-0123456789abcdef0123',
    secureCookies: false,
  };
  app = createConsoleApp(deps, consolePages);
  for (const [id, password] of [
    ['wen', 'wen-password-1'],
    ['city', 'city-password-1'],
  ] as const) {
    const r = await auth.login(id, password, '127.0.0.1');
    if (!r.ok) throw new Error(`login ${id}: ${r.reason}`);
    cookies[id] = `${SESSION_COOKIE}=${r.cookie}`;
  }
}, 60_000);

afterAll(() => {
  db?.close();
  conn?.closeSync();
  instance?.closeSync();
  rmSync(t.dir, { recursive: true, force: true });
});

/** 温县's 2025-W27 digest preview, as `edumon digest --week 2025-W27 --region 410825` makes it (built once for the tests that compare with it). */
let wenPreview: ReturnType<typeof previewOf> | undefined;
const previewOf = async (region?: string) => {
  const p = await digestRequest(conn, t.config, { week: '2025-W27', ...(region ? { region } : {}) }, NOW);
  if (p.kind !== 'preview') throw new Error('not a preview');
  return p;
};
const wen = () => (wenPreview ??= previewOf('410825'));

const get = (path: string, who: string) => app.request(path, { headers: { cookie: cookies[who]! } });

/** A cell's text: tags dropped, hono/html's escapes undone, spaces collapsed. */
const textOf = (s: string) =>
  s
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();

/** The page's figures table: per figure its heading (name and target) and rows of [region?, value, met, change]. */
function figuresOf(page: string): Array<{ name: string; target: string; rows: string[][] }> {
  const table = /<table class="indicators">([\s\S]*?)<\/table>/.exec(page)![1]!;
  return [...table.matchAll(/<tbody>([\s\S]*?)<\/tbody>/g)].map(([, body]) => {
    const name = textOf(/<th scope="rowgroup"[^>]*>([\s\S]*?)<small/.exec(body!)![1]!);
    const target = textOf(/<small class="target">([\s\S]*?)<\/small>/.exec(body!)![1]!);
    const rows = [...body!.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map(([, tr]) =>
      // The region (city scope), value, met and change cells; the change without its (改善)/(退步) word.
      [...tr!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map(([, td]) => textOf(td!.replace(/<small>[\s\S]*?<\/small>/, ''))).slice(0, -1),
    );
    return { name, target, rows };
  });
}

/** Asserts the page's table says, line for line, what the preview's plain text says of each figure. */
function expectSameAsPreview(page: string, previewText: string, regionName?: string) {
  const lines = previewText.split('\n').map((l) => l.replace(/\s+/g, ' ').trim());
  const figures = figuresOf(page);
  expect(figures.length).toBeGreaterThanOrEqual(14);
  for (const f of figures) {
    const at = lines.indexOf(`${f.name}（${f.target}）`);
    expect(at, `${f.name}（${f.target}） in the preview`).toBeGreaterThan(-1);
    f.rows.forEach((row, i) => {
      const said = regionName === undefined ? row.join(' ') : `${regionName} ${row.join(' ')}`;
      expect(lines[at + 1 + i]!.startsWith(said), `${f.name}: page "${said}", preview "${lines[at + 1 + i]}"`).toBe(true);
    });
  }
}

describe('the indicators page', () => {
  it("shows a county's week as that week's digest preview shows it, with the 8 weeks' trends as chart data", async () => {
    const res = await get('/indicators?week=2025-W27&region=410825', 'wen');
    expect(res.status).toBe(200);
    const page = await res.text();
    // Built on a console reader without writing: the week-ends it computed are not kept (the preview keeps them).
    const kept = async () => Number((await conn.runAndReadAll('select count(*) from digest_figures')).getRows()[0]![0]);
    expect(await kept()).toBe(0);
    expectSameAsPreview(page, (await wen()).text, '温县');
    expect(await kept()).toBe(8);
    expect(page).toContain('100.0%');
    expect(page).toContain('↑ +3.0 个百分点');
    expect(page).not.toContain('武陟县');

    const json = /<script type="application\/json" id="trend-data">([\s\S]*?)<\/script>/.exec(page)![1]!;
    expect(json).not.toContain('<');
    const data = JSON.parse(json) as {
      weeks: string[];
      figures: Array<{ el: string; name: string; series: Array<{ name: string; values: Array<number | null> }> }>;
    };
    expect(data.weeks).toEqual(['2025-W20', '2025-W21', '2025-W22', '2025-W23', '2025-W24', '2025-W25', '2025-W26', '2025-W27']);
    const ger = data.figures.find((f) => f.name === '学前三年毛入园率')!;
    expect(ger.series).toEqual([{ name: '温县', main: true, values: [97, 97, 97, 97, 97, 97, 97, 100] }]);
    // Each chart's element is there, labelled with its values, and scripts come from /static only.
    expect(page).toContain(`id="${ger.el}" role="img" aria-label="学前三年毛入园率近8周趋势，温县：2025-W20 97.0%`);
    expect(page).toContain('<script src="/static/echarts.min.js"></script><script src="/static/charts.js"></script>');
    expect((await app.request('/static/charts.js')).status).toBe(200);
  });

  it("shows the city's week, every region, as the city's preview does; the last ended week by default", async () => {
    const res = await get('/indicators', 'city');
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('value="2025-W27"');
    expectSameAsPreview(page, (await previewOf()).text);
    expect(page).toContain('武陟县');
  });

  it("downloads the week's workbook: the preview's attachment, cell for cell", async () => {
    const res = await get('/indicators/workbook?week=2025-W27&region=410825', 'wen');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="edumon-2025-W27-410825.xlsx"; filename*=UTF-8''${encodeURIComponent('温县教育监测周报-2025-W27.xlsx')}`,
    );
    const attached = (await wen()).attachments.find((a) => a.filename.endsWith('.xlsx'))!;
    const cells = async (bytes: ArrayBuffer | Buffer) => {
      const book = new ExcelJS.Workbook();
      await book.xlsx.load(bytes as ArrayBuffer);
      return book.worksheets.map((s) => ({ name: s.name, values: s.getSheetValues() }));
    };
    const downloaded = await cells(await res.arrayBuffer());
    expect(downloaded.map((s) => s.name)).toEqual(['指标', '本周告警']);
    expect(downloaded).toEqual(await cells(Buffer.from(attached.content, 'base64')));
  });

  it('refuses a county official another region, by page or by workbook, and audits it', async () => {
    for (const path of ['/indicators?week=2025-W27&region=410823', '/indicators/workbook?week=2025-W27&region=410823', '/indicators?region=410800']) {
      const res = await get(path, 'wen');
      expect(res.status, path).toBe(403);
      expect(await res.text()).not.toContain('武陟县实验幼儿园');
    }
    const audited = (
      await conn.runAndReadAll("select action, target, outcome from console_audit where user_id = 'wen' and outcome = 'refused' order by action, target")
    ).getRowObjectsJson();
    expect(audited).toEqual([
      { action: 'download indicators', target: 'region 410823', outcome: 'refused' },
      { action: 'view indicators', target: 'region 410800', outcome: 'refused' },
      { action: 'view indicators', target: 'region 410823', outcome: 'refused' },
    ]);
  });

  it('says so when the week is not an ISO week or has not ended', async () => {
    const bad = await get('/indicators?week=2025-W99&region=410825', 'wen');
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('“2025-W99”不是 ISO 周');
    const open = await get('/indicators?week=2025-W28&region=410825', 'wen');
    expect(open.status).toBe(400);
    expect(await open.text()).toContain('2025-W28 尚未结束，最近结束的一周是 2025-W27');
  });
});

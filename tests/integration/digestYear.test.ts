/**
 * A digest of the simulator's year, end to end short of SMTP: a simulated Jiaozuo year stored
 * through the real sink into a DuckDB file, the city's digest of 2025-W27 built from it and
 * rendered, shown in headless Chromium (offline), and its workbook read back: the figures the
 * workbook holds are the ones the email shows.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDigests, digestRendering } from '../../alerts/digest/digestEmails.ts';
import type { RenderedDigest } from '../../alerts/digest/model.ts';
import { renderDigest } from '../../alerts/digest/render.ts';
import { parseIsoWeek } from '../../alerts/digest/week.ts';
import { inlineCidImages } from '../../bin/inlineCidImages.ts';
import { renderInBrowser } from '../../bin/renderInBrowser.ts';
import { loadConfig } from '../../core/config.ts';
import { connect, openWarehouse } from '../../core/db.ts';
import { CITY_CODE, regions } from '../../core/regions.ts';
import { type ContractEvent, families } from '../../ingest/contract.ts';
import { decodeObject } from '../../ingest/decode.ts';
import { createPseudonymizer, pseudonymizeEvent } from '../../ingest/pseudonymize.ts';
import { defaultOptions } from '../../ingest/simulate/options.ts';
import { simulate } from '../../ingest/simulate/simulate.ts';
import { migrate } from '../../pipeline/migrate.ts';
import { Sink } from '../../pipeline/sink.ts';
import { TEST_KEY } from '../helpers/testEnv.ts';

const config = loadConfig({ env: { EDUMON_ENV: 'test' } });
const pseudonym = createPseudonymizer(TEST_KEY);
let dir: string;
let instance: DuckDBInstance;
let conn: DuckDBConnection;
let rendered: RenderedDigest;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'edumon-digest-year-'));
  simulate({ options: { ...defaultOptions, scale: 0.1 }, outDir: dir, pseudonymize: pseudonym, admissionTopic: 'edu.admission' });
  instance = await openWarehouse(join(dir, 'edumon.duckdb'));
  conn = await connect(instance);
  await migrate(conn);
  const sink = await Sink.open(conn);
  for (const family of families) {
    const events: ContractEvent[] = [];
    for (const line of readFileSync(join(dir, `${family}.jsonl`), 'utf8').split('\n')) {
      if (!line) continue;
      const d = decodeObject(JSON.parse(line), family);
      if (!d.ok) throw new Error(d.reason);
      events.push(pseudonymizeEvent(d.event, pseudonym) as ContractEvent);
    }
    await sink.write([{ topic: `edu.${family}`, partition: 0, nextOffset: BigInt(events.length), events, rejections: [] }]);
  }
  const reader = {
    contact: { id: 'city', name: '焦作市教育局', email: 'city@example.cn', minSeverity: 'info' as const, language: 'zh-CN' as const },
    scope: CITY_CODE,
  };
  const [built] = await buildDigests(conn, config, parseIsoWeek('2025-W27'), [reader], new Date('2025-07-07T00:00:00Z'));
  rendered = await renderDigest(built!.digest, digestRendering(config)('zh-CN', CITY_CODE));
}, 240_000);

afterAll(() => {
  conn?.closeSync();
  instance?.closeSync();
  rmSync(dir, { recursive: true, force: true });
});

describe("a digest of the simulator's year", () => {
  it('shows every region with its trend images in a browser, offline', { timeout: 120_000 }, async () => {
    const png = join(dir, 'digest-year.png');
    const view = await renderInBrowser(inlineCidImages(rendered.html, rendered.attachments), png, {
      mainId: 'edumon-digest',
      viewport: { width: 680, height: 1000 },
    });
    expect(view.requests).toEqual([]);
    expect(view.documentWidth).toBeLessThanOrEqual(680);
    expect(rendered.subject).toMatch(/^【周报】焦作市 2025-W27/);
    for (const r of regions) expect(view.text).toContain(r.zh);
    for (const section of ['数据质量', '指标一览', '本周告警']) expect(view.text).toContain(section);
    expect(view.images.length).toBeGreaterThan(100);
    expect(view.images.filter((i) => i.naturalWidth === 0)).toEqual([]);
    expect(readFileSync(png).length).toBeGreaterThan(100_000);
  });

  it("holds in its workbook the figures the email shows (the city's 学前三年毛入园率 among them)", async () => {
    const xlsx = rendered.attachments.find((a) => a.filename.endsWith('.xlsx'))!;
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(Buffer.from(xlsx.content, 'base64') as unknown as ArrayBuffer);
    const sheet = book.worksheets[0]!;
    const header = Array.from(sheet.getRow(1).values as unknown[], (v) => String(v ?? ''));
    const col = (name: string) => header.findIndex((h) => h.includes(name));
    const rows = sheet.getRows(2, sheet.rowCount - 1) ?? [];
    const cityGer = rows.find(
      (r) => String(r.getCell(col('地区代码')).value) === CITY_CODE && String(r.getCell(col('指标')).value).includes('学前三年毛入园率'),
    );
    expect(cityGer, 'the city’s 学前三年毛入园率 row').toBeDefined();
    const value = Number(cityGer!.getCell(col('本周')).value);
    expect(value).toBeGreaterThan(50);
    expect(rendered.text).toContain(`${value.toFixed(1)}%`);
    // Every region's row of every figure: 15 figures × 12 regions, less the city-only new public places.
    expect(rows.length).toBe(14 * 12 + 1);
  });
});

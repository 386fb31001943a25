/**
 * A digest of the simulator's year, end to end short of SMTP: a simulated Jiaozuo year stored
 * through the real sink into a DuckDB file, the city's digest of 2025-W27 built from it and
 * rendered (tools/yearDigest.ts), shown in headless Chromium (offline) with the README's picture
 * made as tools/screenshotDigest.ts makes it, and its workbook read back: the figures the workbook
 * holds are the ones the email shows.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RenderedDigest } from '../../alerts/digest/model.ts';
import { loadConfig } from '../../core/config.ts';
import { CITY_CODE, regions } from '../../core/regions.ts';
import { inlineCidImages } from '../../tools/inlineCidImages.ts';
import { renderInBrowser } from '../../tools/renderInBrowser.ts';
import { README_DIGEST, screenshotDigest } from '../../tools/screenshotDigest.ts';
import { yearDigest } from '../../tools/yearDigest.ts';
import { TEST_KEY } from '../helpers/testEnv.ts';

const config = loadConfig({ env: { EDUMON_ENV: 'test' } });
let dir: string;
let rendered: RenderedDigest;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'edumon-digest-year-'));
  rendered = await yearDigest(dir, config, { ...README_DIGEST, pseudonymKey: TEST_KEY });
}, 240_000);

afterAll(() => {
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

  it('makes the README’s picture: the top of that digest, every image loaded, nothing asked of the network', { timeout: 120_000 }, async () => {
    const png = join(dir, 'weekly-digest.png');
    const view = await screenshotDigest(rendered, png);
    expect(view.requests).toEqual([]);
    expect(view.images.filter((i) => i.naturalWidth === 0)).toEqual([]);
    const bytes = readFileSync(png);
    expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([680, 1800]);
    expect(view.text).toContain('焦作市教育监测周报 2025-W27');
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

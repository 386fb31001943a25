/**
 * Digests of the simulator's year, end to end short of SMTP: a simulated Jiaozuo year stored
 * through the real sink into a DuckDB file, the city's digest of 2025-W27 built from it and
 * rendered (tools/yearDigest.ts), shown in headless Chromium (offline) with the README's picture
 * made as tools/screenshotDigest.ts makes it, and its workbook read back: the figures the workbook
 * holds are the ones the email shows. From the same warehouse, the year end (issue 22): 2025-W52
 * and 2026-W01, whose 县中 funds judge the whole of fiscal 2025, for the city and the regions of the
 * schools the simulator paid short (HS-FUNDS in its truth.json), and the colours of W52's changes.
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
import { yearDigests } from '../../tools/yearDigest.ts';
import { TEST_KEY } from '../helpers/testEnv.ts';

const config = loadConfig({ env: { EDUMON_ENV: 'test' } });
let dir: string;
let rendered: RenderedDigest;
let built: Awaited<ReturnType<typeof yearDigests>>;
/** The regions of the high schools the simulator paid less than 1000 yuan per student for 2025 (its HS-FUNDS truth). */
let shortRegions: string[];
/** 马村区 (410804), where the simulator at scale 0.1 pays one high school 4 × 200 yuan per student; 修武县 (410821) pays every one in full. */
const [SHORT, FULL] = ['410804', '410821'];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'edumon-digest-year-'));
  built = await yearDigests(dir, config, {
    scale: README_DIGEST.scale,
    pseudonymKey: TEST_KEY,
    digests: [
      { week: README_DIGEST.week, scope: CITY_CODE },
      { week: '2025-W52', scope: CITY_CODE },
      { week: '2026-W01', scope: CITY_CODE },
      { week: '2026-W01', scope: SHORT },
      { week: '2026-W01', scope: FULL },
    ],
  });
  rendered = built[0]!.rendered;
  const truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')) as { violations: Array<{ rule: string; region_code: string }> };
  shortRegions = [...new Set(truth.violations.filter((v) => v.rule === 'HS-FUNDS').map((v) => v.region_code))];
}, 300_000);

const digestOf = (week: string, scope: string) => built.find((b) => b.week === week && b.scope === scope)!;
const hsFunds = (week: string, scope: string, region: string) =>
  digestOf(week, scope).digest.figures.find((f) => f.figure === 'hsFunds' && f.region === region)!;

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

  it('judges 县中 funds for the whole of fiscal 2025 in 2026-W01: a school short for the year is 未达标 in its region’s and the city’s digest', () => {
    expect(shortRegions).toEqual([SHORT]);
    for (const [scope, region] of [
      [SHORT, SHORT],
      [CITY_CODE, SHORT],
      [CITY_CODE, CITY_CODE],
    ] as const) {
      expect(hsFunds('2026-W01', scope, region), `${region} in ${scope}'s digest`).toMatchObject({ met: false, period: { fiscalYear: 2025, quarters: 4 } });
    }
    expect(hsFunds('2026-W01', SHORT, SHORT).value).toBeCloseTo(80, 6); // 4 × 200 of 1000 yuan per student
    expect(hsFunds('2026-W01', FULL, FULL)).toMatchObject({ value: 100, met: true, period: { fiscalYear: 2025, quarters: 4 } });
    const text = digestOf('2026-W01', SHORT).rendered.text;
    expect(text).toContain('生均公用经费（目标 ≥ 100.0%　按2025年度全年计）');
    expect(text).toMatch(/马村区\s+80\.0%\s+✗ 未达标/);
    expect(digestOf('2026-W01', CITY_CODE).rendered.html).toContain('按2025年度全年计');
  });

  it('counts the December instalment only once its quarter has ended: W52 judges three quarters with what was paid by 30 September', () => {
    expect(hsFunds('2025-W52', CITY_CODE, SHORT)).toMatchObject({ met: false, period: { fiscalYear: 2025, quarters: 3 } });
    // 3 × 200 of 3 × 250 yuan per student (on 30 September's roll, a little larger than the one paid on): not the 100% counting December's instalment gave.
    expect(hsFunds('2025-W52', CITY_CODE, SHORT).value).toBeLessThan(81);
    expect(hsFunds('2025-W52', CITY_CODE, CITY_CODE).met).toBe(false);
    expect(digestOf('2025-W52', CITY_CODE).rendered.text).toContain('按已结束季度折算：2025年第1—3季度');
  });

  it('colours no change of W52’s city digest that reads 持平, and no rise or fall it prints as zero', () => {
    const html = digestOf('2025-W52', CITY_CODE).rendered.html;
    const cells = [...html.matchAll(/<td style="color:(#[0-9a-f]{6})">((?:↑|↓|→) [^<]*)<\/td>/g)].map((m) => ({ color: m[1]!, text: m[2]! }));
    const same = cells.filter((c) => c.text === '→ 持平');
    expect(same.length).toBeGreaterThan(100);
    expect(same.filter((c) => c.color !== '#6b7280')).toEqual([]);
    expect(cells.filter((c) => c.text !== '→ 持平' && /[+-]0(?:\.0)?(?: |$)/.test(c.text))).toEqual([]);
  });
});

import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { renderDigest } from '../../alerts/digest/render.ts';
import { SAMPLE_RULE_TITLES, sampleDigest, sampleFigureDefs } from '../../alerts/digest/sampleDigest.ts';
import { digestWorkbook } from '../../alerts/digest/workbook.ts';

const defs = sampleFigureDefs();

async function read(buffer: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buffer as unknown as ArrayBuffer);
  return wb;
}

const WEEKS = ['2025-W20', '2025-W21', '2025-W22', '2025-W23', '2025-W24', '2025-W25', '2025-W26', '2025-W27'];

describe('digestWorkbook', () => {
  it('holds every figure of every region with the digest’s numbers, under Chinese headers and week labels', async () => {
    const digest = sampleDigest();
    const wb = await read(await digestWorkbook(digest, defs, 'zh-CN'));
    expect(wb.worksheets.map((s) => s.name)).toEqual(['指标', '本周告警']);
    const sheet = wb.getWorksheet('指标')!;
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual([
      '地区代码',
      '地区',
      '指标',
      '单位',
      '本周',
      '目标',
      '达标',
      '上周',
      '变化',
      '本周变差',
      ...WEEKS,
      '口径',
    ]);
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet.getColumn(3).width).toBeGreaterThan(20);
    expect(sheet.rowCount).toBe(1 + 180);

    const byKey = new Map(digest.figures.map((f) => [`${f.figure} ${f.region}`, f]));
    const name = new Map(defs.map((d) => [d.zh, d]));
    const cell = (v: ExcelJS.CellValue) => (v === undefined ? null : v);
    for (let r = 2; r <= sheet.rowCount; r++) {
      const row = sheet.getRow(r);
      const def = name.get(String(row.getCell(3).value))!;
      const f = byKey.get(`${def.id} ${row.getCell(1).value}`)!;
      expect(f).toBeDefined();
      expect(cell(row.getCell(5).value)).toBe(f.value);
      expect(cell(row.getCell(6).value)).toBe(def.target);
      expect(cell(row.getCell(7).value)).toBe(f.met === null ? null : f.met ? '是' : '否');
      expect(cell(row.getCell(8).value)).toBe(f.previous);
      expect(cell(row.getCell(9).value)).toBe(f.change);
      expect(WEEKS.map((_, i) => cell(row.getCell(11 + i).value))).toEqual(f.trend);
      // 县中 funds say which part of the year they judge; other figures have no such column.
      expect(cell(row.getCell(11 + WEEKS.length).value)).toBe(def.id === 'hsFunds' ? '按已结束季度折算：2025年第1—2季度' : null);
      expect(row.getCell(5).numFmt).toBe(def.unit === '%' || def.unit === 'ratio' ? '0.0' : '#,##0');
    }
    // The city first, in the figures' order.
    expect(sheet.getRow(2).getCell(2).value).toBe('焦作市');
    expect(sheet.getRow(2).getCell(3).value).toBe('学前三年毛入园率');
    expect(sheet.getRow(13).getCell(2).value).toBe('孟州市');
  });

  it('shows the same numbers as the email', async () => {
    const digest = sampleDigest();
    const rendered = await renderDigest(digest, { language: 'zh-CN', defs, ruleTitle: (r) => SAMPLE_RULE_TITLES[r] });
    const xlsx = rendered.attachments.find((a) => a.filename.endsWith('.xlsx'))!;
    const sheet = (await read(Buffer.from(xlsx.content, 'base64'))).getWorksheet('指标')!;
    const city = sheet.getRow(2);
    expect(city.getCell(5).value).toBe(96.2);
    expect(rendered.html).toContain('<td>焦作市</td><td align="right">96.2%</td>');
    const worse = [...Array(sheet.rowCount - 1)].map((_, i) => sheet.getRow(i + 2)).filter((r) => r.getCell(10).value);
    expect(worse.length).toBe(digest.worse.length);
  });

  it('lists the alerts of the week', async () => {
    const digest = sampleDigest();
    const wb = await read(await digestWorkbook(digest, defs, 'zh-CN', { ruleTitle: (r) => `${r} ${SAMPLE_RULE_TITLES[r] ?? ''}`.trim() }));
    const sheet = wb.getWorksheet('本周告警')!;
    const { opened, resolved, stillOpen } = digest.alerts;
    const { opened: detected, flaps, oldestUnacked } = digest.detected!;
    const judged = digest.judged!.rules;
    expect(sheet.rowCount).toBe(1 + opened.length + resolved.length + stillOpen.length + detected.length + flaps.length + oldestUnacked.length + judged.length);
    expect((sheet.getRow(2).values as unknown[]).slice(1)).toEqual(['新增', 'ADM-OVER-QUOTA 超计划招生', '410823', '武陟县', 2, '']);
    const unacked = sheet.getRow(sheet.rowCount - judged.length);
    expect(unacked.getCell(1).value).toBe('未确认');
    expect(String(unacked.getCell(6).value)).toContain('2025-07-02T15:12:00+08:00');
    // Last, the city's rules officials judged often wrong: city-wide (no region), the count those judged.
    expect((sheet.getRow(sheet.rowCount - 1).values as unknown[]).slice(1)).toEqual([
      '研判准确率偏低',
      'ADM-CROSS-REGION 违规跨区域招生',
      '',
      '',
      12,
      '准确率 58.3%：确认违规 5，已整改 2，数据有误 3，误报 2',
    ]);
  });

  it('writes hostile producer text as visible strings, never formulas, and English headers for an English reader', async () => {
    const digest = sampleDigest();
    digest.alerts.flaps = [{ alertId: '=HYPERLINK("http://x")\u202e\u0000', rule: 'ADM-CROSS-REGION', region: '410811', reopens: 2 }];
    const wb = await read(await digestWorkbook(digest, defs, 'en'));
    expect(wb.worksheets.map((s) => s.name)).toEqual(['Indicators', 'Alerts']);
    const sheet = wb.getWorksheet('Alerts')!;
    const flap = sheet.getRows(2, sheet.rowCount - 1)!.find((r) => r.getCell(1).value === 'flapping')!;
    expect(flap.getCell(6).value).toBe('=HYPERLINK("http://x")\\u202e\\u0000');
    expect(wb.getWorksheet('Indicators')!.getRow(2).getCell(2).value).toBe('Jiaozuo');
  });
});

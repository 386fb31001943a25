/**
 * The digest's workbook (`.xlsx`, for Excel and WPS): a sheet of every figure for every region of
 * the digest (the same numbers the email shows, with the 8 weekly values under their ISO week
 * labels, and for a figure judged per year the period it covers) and a sheet of the alerts of the week
 * (the city's also listing the rules officials judged often wrong). Chinese headers unless the reader reads English,
 * number formats per unit (0.0 for rates and ratios, #,##0 for counts and yuan), the header row
 * frozen and filterable. Producer text is written visibly (core/text.ts) and as
 * plain strings, never as formulas.
 */
import type { Worksheet } from 'exceljs';
import { exceljs } from '../../core/lazyRequire.ts';
import { regionName } from '../../core/regions.ts';
import { formatShanghai } from '../../core/shanghai.ts';
import { visibleText } from '../../core/text.ts';
import { digestWordingFor } from './digestWording.ts';
import type { Digest, FigureDef } from './model.ts';
import { trendWeeks } from './trendWeeks.ts';

/** Region names and rule titles as the email shows them (default: core/regions.ts names, bare rule codes). */
export interface WorkbookNames {
  regionOf?: (code: string) => string;
  ruleTitle?: (rule: string) => string;
}

const FORMAT: Record<FigureDef['unit'], string> = { '%': '0.0', ratio: '0.0', count: '#,##0', yuan: '#,##0' };

/**
 * The workbook of `digest` as an .xlsx buffer, with headers in `language`. Its creation time is the
 * digest's composedAt, not the clock.
 */
export async function digestWorkbook(digest: Digest, defs: readonly FigureDef[], language: 'zh-CN' | 'en', names: WorkbookNames = {}): Promise<Buffer> {
  const wording = digestWordingFor(language);
  const w = wording.xlsx;
  const region = names.regionOf ?? ((code: string) => regionName(code, language));
  const rule = names.ruleTitle ?? ((r: string) => r);
  const wb = new (exceljs().Workbook)();
  wb.creator = 'edumon';
  wb.created = new Date(digest.composedAt);
  wb.modified = new Date(digest.composedAt);

  const weeks = trendWeeks(digest.week);
  const sheet = wb.addWorksheet(w.figuresSheet, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = [
    { header: w.regionCode, width: 10 },
    { header: w.region, width: 18 },
    { header: w.figure, width: 28 },
    { header: w.unit, width: 10 },
    { header: w.value, width: 12 },
    { header: w.target, width: 10 },
    { header: w.met, width: 7 },
    { header: w.previous, width: 12 },
    { header: w.change, width: 10 },
    { header: w.worse, width: 10 },
    ...weeks.map((label) => ({ header: label, width: 11 })),
    { header: w.basis, width: 30 },
  ];
  const defOf = new Map(defs.map((d) => [d.id as string, d]));
  const order = new Map(defs.map((d, i) => [d.id as string, i]));
  const regionRank = new Map(digest.regions.map((r, i) => [r, i]));
  const rows = [...digest.figures].sort(
    (a, b) =>
      (order.get(a.figure) ?? Number.MAX_SAFE_INTEGER) - (order.get(b.figure) ?? Number.MAX_SAFE_INTEGER) ||
      (regionRank.get(a.region) ?? Number.MAX_SAFE_INTEGER) - (regionRank.get(b.region) ?? Number.MAX_SAFE_INTEGER),
  );
  const worse = new Map(digest.worse.map((x) => [`${x.figure} ${x.region}`, x.reason === 'new-shortfall' ? wording.newShortfall : wording.gotWorse]));
  for (const f of rows) {
    const def = defOf.get(f.figure);
    const unit = def?.unit ?? 'count';
    const trend = weeks.map((_, i) => f.trend[f.trend.length - weeks.length + i] ?? null);
    const row = sheet.addRow([
      visibleText(f.region),
      visibleText(region(f.region)),
      visibleText(def ? (language === 'en' ? def.en : def.zh) : f.figure),
      w.unitNames[unit],
      f.value,
      def?.target ?? null,
      f.met === null ? null : f.met ? w.yes : w.no,
      f.previous,
      f.change,
      worse.get(`${f.figure} ${f.region}`) ?? null,
      ...trend,
      f.period ? wording.period(f.period.fiscalYear, f.period.quarters) : null,
    ]);
    for (const c of [5, 6, 8, 9, ...weeks.map((_, i) => 11 + i)]) row.getCell(c).numFmt = FORMAT[unit];
  }
  styleHeader(sheet);

  const alerts = wb.addWorksheet(w.alertsSheet, { views: [{ state: 'frozen', ySplit: 1 }] });
  alerts.columns = [
    { header: w.kind, width: 10 },
    { header: w.rule, width: 28 },
    { header: w.regionCode, width: 10 },
    { header: w.region, width: 18 },
    { header: w.count, width: 8 },
    { header: w.detail, width: 60 },
  ];
  const where = (code: string | null) => (code === null ? ['', ''] : [visibleText(code), visibleText(region(code))]);
  const lists = [
    [w.opened, digest.alerts.opened],
    [w.resolved, digest.alerts.resolved],
    [w.stillOpen, digest.alerts.stillOpen],
  ] as const;
  for (const [kind, list] of lists) for (const a of list) alerts.addRow([kind, visibleText(rule(a.rule)), ...where(a.region), a.count, '']);
  // The clock's part (issue 22): what the system detected during the week, labelled so.
  for (const a of digest.detected?.opened ?? []) alerts.addRow([w.detected, visibleText(rule(a.rule)), ...where(a.region), a.count, '']);
  for (const f of [...digest.alerts.flaps, ...(digest.detected?.flaps ?? [])])
    alerts.addRow([w.flap, visibleText(rule(f.rule)), ...where(f.region), f.reopens, visibleText(f.alertId)]);
  for (const a of [...digest.alerts.oldestUnacked, ...(digest.detected?.oldestUnacked ?? [])]) {
    const detail = [a.alertId, a.schoolId ?? '', formatShanghai(a.openedAt), `${a.ageDays}d`].filter(Boolean).join('  ');
    alerts.addRow([w.unacked, visibleText(rule(a.rule)), ...where(a.region), 1, visibleText(detail)]);
  }
  // The rules officials judged often wrong (the city's digest alone, issue 23): city-wide, so no region; the count is those judged.
  for (const r of digest.judged?.rules ?? [])
    alerts.addRow([
      w.judged,
      visibleText(rule(r.rule)),
      '',
      '',
      r.judged,
      w.judgedDetail(wording.percent(r.precision), r.confirmed, r.fixed, r.dataWrong, r.falseAlarm),
    ]);
  styleHeader(alerts);

  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** A bold, shaded header row with a filter on it. */
function styleHeader(sheet: Worksheet): void {
  const header = sheet.getRow(1);
  header.font = { bold: true };
  header.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE5E7EB' } };
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: sheet.columnCount } };
}

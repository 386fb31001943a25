import { afterEach, describe, expect, it } from 'vitest';
import type { Digest, FigureValue } from '../../alerts/digest/model.ts';
import { type RenderDigestOptions, renderDigest } from '../../alerts/digest/render.ts';
import { SAMPLE_RULE_TITLES, sampleDigest, sampleFigureDefs } from '../../alerts/digest/sampleDigest.ts';
import { HTML_MAX_BYTES } from '../../alerts/emailHtml.ts';
import { alertLinks } from '../../alerts/notify/alertLinks.ts';
import { regions } from '../../core/regions.ts';

const defs = sampleFigureDefs();
const zh: RenderDigestOptions = { language: 'zh-CN', defs, ruleTitle: (rule) => SAMPLE_RULE_TITLES[rule] };
const en: RenderDigestOptions = { ...zh, language: 'en' };

/** A small digest of the city alone: 3 figures missed, 2 worse, nothing wrong with the data, no alerts. */
function smallDigest(): Digest {
  const d = sampleDigest();
  const row = (figure: FigureValue['figure'], value: number, previous: number, met: boolean): FigureValue => ({
    figure,
    region: '410800',
    value,
    previous,
    change: Math.round((value - previous) * 10) / 10,
    met,
    trend: [previous - 1, previous - 0.5, previous, previous, previous, previous, previous, value],
  });
  return {
    ...d,
    regions: ['410800'],
    figures: [
      row('kgGer', 96.2, 96.1, false),
      row('kgPuhui', 89.2, 90.4, false),
      row('hsGer', 94.5, 94.4, false),
      row('kgPublicShare', 51.6, 51.4, true),
      row('oversizeClasses', 0, 1, true),
    ],
    worse: [
      { figure: 'kgPuhui', region: '410800', reason: 'new-shortfall', change: -1.2 },
      { figure: 'kgGer', region: '410800', reason: 'worse', change: -0.4 },
    ],
    quality: { staleFeeds: [], failedRules: [], rejections: [], unknownSchools: 0 },
    alerts: { opened: [], resolved: [], stillOpen: [], flaps: [], oldestUnacked: [] },
  };
}

const cids = (html: string) => [...html.matchAll(/src="cid:([^"]+)"/g)].map((m) => m[1]!);

describe('renderDigest', () => {
  it('names the reader’s region, the week and the counts in the subject', async () => {
    expect((await renderDigest(smallDigest(), zh)).subject).toBe('【周报】焦作市 2025-W27 指标：3 项未达标，2 项变差');
    expect((await renderDigest(sampleDigest(), zh)).subject).toBe('【周报】焦作市 2025-W27 指标：11 项未达标，4 项变差');
    // A county's reader: its own figures, its own name.
    const county = { ...sampleDigest(), regions: ['410823'] };
    county.figures = county.figures.filter((f) => f.region === '410823');
    county.worse = county.worse.filter((x) => x.region === '410823');
    const missed = county.figures.filter((f) => f.met === false).length;
    expect((await renderDigest(county, zh)).subject).toBe(`【周报】武陟县 2025-W27 指标：${missed} 项未达标，0 项变差`);
  });

  it('shows the title, then data quality, what got worse, the figures and the alerts, in that order, in HTML and text', async () => {
    const r = await renderDigest(sampleDigest(), zh);
    for (const body of [r.html, r.text]) {
      const at = ['焦作市教育监测周报 2025-W27（6月30日—7月6日）', '数据质量', '本周变差（14）', '指标一览', '本周告警'].map((s) => body.indexOf(s));
      expect(at.every((i) => i >= 0)).toBe(true);
      expect([...at].sort((a, b) => a - b)).toEqual(at);
      expect(body).toContain('数据源中断：工资社保发放（payroll），已落后 9 天');
      expect(body).toContain('本周收到并拒收的消息 42 条（按接收时间计：拒收的消息读不出事件时间）：schema: school_id missing 37 条');
      expect(body).toContain('未登记的学校 4 所');
      expect(body).toContain('3441010009（2025-02-24 首次出现）');
      expect(body).toContain('按事件发生时间统计');
      expect(body).toContain('系统本周发现的告警（按系统处理时间）');
      expect(body).toContain('本周系统首次发现或重新打开告警 6 条：');
      expect(body).toContain('✗ 未达标');
      expect(body).toContain('✓ 达标');
      expect(body).toContain('↑ +0.1 个百分点');
      expect(body).toContain('本周新增 9 条，恢复 5 条，周末仍未恢复 11 条。');
      expect(body).toContain('ADM-CROSS-REGION 违规跨区域招生 山阳区：本周重新打开 4 次');
      expect(body).toContain('24 天');
    }
    expect(r.text).not.toContain('<');
    // Every region of every figure: 12 × 15 rows, the city first in each figure.
    const kg = r.html.slice(r.html.indexOf('学前三年毛入园率'), r.html.indexOf('普惠性幼儿园覆盖率</b>'));
    const order = regions.map((x) => kg.indexOf(`<td>${x.zh}</td>`));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('says the data is complete when nothing is wrong, and that nothing got worse or alerted', async () => {
    const d = smallDigest();
    const r = await renderDigest({ ...d, worse: [] }, zh);
    for (const body of [r.html, r.text]) {
      expect(body).toContain('本周数据完整');
      expect(body).toContain('本周没有变差的指标。');
      expect(body).toContain('本周没有告警。');
    }
  });

  it('ends the city’s digest with the rules officials judged often wrong, a county’s with none, and says so when none fell below the floor', async () => {
    const r = await renderDigest(sampleDigest(), zh);
    for (const body of [r.html, r.text]) {
      const at = ['本周告警', '研判准确率偏低的规则（2）', '近 28 天（截至周末）', '全部指标（各地区、近8周数值）'].map((s) => body.indexOf(s));
      expect(at.every((i) => i >= 0)).toBe(true);
      expect([...at].sort((a, b) => a - b)).toEqual(at);
      expect(body).toContain('准确率低于 70% 的规则');
      expect(body.indexOf('ADM-CROSS-REGION 违规跨区域招生', body.indexOf('研判准确率偏低'))).toBeLessThan(
        body.indexOf('ADM-CLASS-SIZE 大班额', body.indexOf('研判准确率偏低')),
      );
    }
    expect(r.html).toContain(
      '<tr><td>ADM-CROSS-REGION 违规跨区域招生</td><td align="right">12</td><td align="right" style="color:#b91c1c;font-weight:bold">58.3%</td><td align="right">3</td><td align="right">2</td></tr>',
    );
    expect(r.text).toMatch(/ADM-CROSS-REGION 违规跨区域招生 +12 +58\.3% +3 +2\n/);
    const en = await renderDigest(sampleDigest(), { ...zh, language: 'en' });
    expect(en.text).toContain('== Rules officials judged often wrong (2) ==');
    expect(en.text).toMatch(/ADM-CLASS-SIZE 大班额 +8 +62\.5% +3 +0\n/);

    // A county's digest (no `judged`) has no such section; the city's with no rule below the floor has one line.
    const { judged: _, ...countyDigest } = smallDigest();
    const county = await renderDigest({ ...countyDigest, regions: ['410823'] }, zh);
    for (const body of [county.html, county.text]) expect(body).not.toContain('研判准确率');
    const none = sampleDigest();
    none.judged = { ...none.judged!, rules: [] };
    const quiet = await renderDigest(none, zh);
    for (const body of [quiet.html, quiet.text]) {
      expect(body).toContain('研判准确率偏低的规则（0）');
      expect(body).toContain('近 28 天没有准确率低于 70% 的规则（已研判不少于 5 条的规则中）。');
      expect(body).not.toContain('准确率 =');
    }
  });

  it('names at most 10 rules judged often wrong in the HTML, the rest in the text and the workbook', async () => {
    const d = sampleDigest();
    d.judged!.rules = Array.from({ length: 12 }, (_, i) => ({
      rule: `RULE-${i}`,
      judged: 10,
      precision: 0.5,
      confirmed: 5,
      fixed: 0,
      dataWrong: 3,
      falseAlarm: 2,
    }));
    const r = await renderDigest(d, zh);
    expect(r.html).toContain('<td>RULE-9</td>');
    expect(r.html).not.toContain('<td>RULE-10</td>');
    expect(r.html).toContain('另有 2 行未列出，见附件 焦作市教育监测周报-2025-W27.xlsx。');
    expect(r.text).toContain('RULE-11');
  });

  it('rounds a precision down, so one just below the floor never reads as the floor', async () => {
    const d = sampleDigest();
    // 6,999 of 10,000: 69.99%, which one decimal rounded to nearest would print as 70.0%.
    d.judged = {
      ...d.judged!,
      rules: [{ rule: 'KG-GER', judged: 10_000, precision: 6999 / 10_000, confirmed: 6999, fixed: 0, dataWrong: 3001, falseAlarm: 0 }],
    };
    const r = await renderDigest(d, zh);
    expect(r.text).toMatch(/KG-GER 学前三年毛入园率 +10000 +69\.9% /);
  });

  it('refers to a PNG attachment for every trend image, and attaches the workbook', async () => {
    const r = await renderDigest(sampleDigest(), zh);
    const byCid = new Map(r.attachments.filter((a) => a.cid).map((a) => [a.cid!, a]));
    const used = cids(r.html);
    expect(used.length).toBe(180 - 5); // 五城区 have no 县中 funds: no trend to draw
    expect(used).toContain('trend-kgGer-410823');
    for (const cid of used) {
      const a = byCid.get(cid)!;
      expect(a.contentType).toBe('image/png');
      expect(Buffer.from(a.content, 'base64').subarray(1, 4).toString()).toBe('PNG');
    }
    expect(new Set(used)).toEqual(new Set(byCid.keys()));
    const xlsx = r.attachments.find((a) => a.filename.endsWith('.xlsx'))!;
    expect(xlsx.filename).toBe('焦作市教育监测周报-2025-W27.xlsx');
    expect(Buffer.from(xlsx.content, 'base64').subarray(0, 2).toString()).toBe('PK');
  });

  it('draws trends for the city only, and says so, when every region’s would pass the budget', async () => {
    const r = await renderDigest(sampleDigest(), { ...zh, trendBudgetBytes: 20_000 });
    const used = cids(r.html);
    expect(used.length).toBe(15);
    expect(used.every((c) => c.endsWith('-410800'))).toBe(true);
    expect(r.attachments.filter((a) => a.cid).length).toBe(15);
    expect(r.html).toContain('趋势图只画全市一行');
    expect(r.text).toContain('趋势图只画全市一行');
  });

  it('is email-safe: charset, 640 px table layout, no script, nothing remote, under 100 KB for the city’s 12 regions × 15 figures', async () => {
    const r = await renderDigest(sampleDigest(), zh);
    expect(r.html).toContain('<meta charset="utf-8">');
    expect(r.html).toContain('width="640"');
    expect(r.html).not.toMatch(/<script|<link|<style|javascript:|@import|url\(/i);
    expect(r.html).not.toMatch(/\b(?:src|href|background)="(?!cid:)/i);
    expect(Buffer.byteLength(r.html)).toBeLessThan(100_000);
  });

  it('stays under 100 KB at the worst: every row worse, long hostile reasons, hundreds of alert rows', async () => {
    const d = sampleDigest();
    const long = `<script>alert(1)</script>\u202e${'很长的拒收原因'.repeat(80)}`;
    d.worse = d.figures.map((f) => ({ figure: f.figure, region: f.region, reason: 'worse' as const, change: f.change }));
    d.quality.rejections = Array.from({ length: 50 }, (_, i) => ({ reason: `${long}${i}`, count: i + 1 }));
    d.quality.failedRules = Array.from({ length: 29 }, (_, i) => ({ rule: `RULE-${i}`, error: long }));
    d.quality.staleFeeds = ['registry', 'admission', 'enrollment', 'payroll', 'funds'].map((feed) => ({ feed, behind: 30, unit: 'days' }));
    d.alerts.opened = Array.from({ length: 348 }, (_, i) => ({ rule: `RULE-${i % 29}`, region: regions[i % 12]!.code, count: i }));
    d.alerts.stillOpen = d.alerts.opened;
    d.alerts.flaps = Array.from({ length: 10 }, (_, i) => ({ alertId: `a-${i}-${long.slice(0, 40)}`, rule: 'ADM-CROSS-REGION', region: '410811', reopens: 5 }));
    // Every rule of the catalogue judged often wrong.
    d.judged!.rules = Array.from({ length: 33 }, (_, i) => ({
      rule: `RULE-${i}`,
      judged: 1000 + i,
      precision: 0.123,
      confirmed: 123,
      fixed: 0,
      dataWrong: 500,
      falseAlarm: 377 + i,
    }));
    const r = await renderDigest(d, zh);
    expect(Buffer.byteLength(r.html)).toBeLessThan(100_000);
    // Those give way in the HTML alone: the text lists all 33.
    expect(r.html).not.toContain('研判准确率偏低');
    expect(r.text).toContain('研判准确率偏低的规则（33）');
    expect(r.text).toContain('RULE-32');
    expect(r.html).toContain('另有 150 行未列出，见附件 焦作市教育监测周报-2025-W27.xlsx。');
    expect(r.html).toContain('另有 320 行未列出');
    expect(r.html).toContain('其他 40 种原因');
  });

  it('stays under 100 KB at the worst with links: the HTML drops them rather than pass the clip, the text keeps them', async () => {
    const d = sampleDigest();
    const long = `<script>alert(1)</script>\u202e${'很长的拒收原因'.repeat(80)}`;
    d.worse = d.figures.map((f) => ({ figure: f.figure, region: f.region, reason: 'worse' as const, change: f.change }));
    d.quality.rejections = Array.from({ length: 50 }, (_, i) => ({ reason: `${long}${i}`, count: i + 1 }));
    d.quality.failedRules = Array.from({ length: 29 }, (_, i) => ({ rule: `RULE-${i}`, error: long }));
    d.alerts.opened = Array.from({ length: 348 }, (_, i) => ({ rule: `RULE-${i % 29}`, region: regions[i % 12]!.code, count: i }));
    d.alerts.stillOpen = d.alerts.opened;
    const id = (i: number) => `${String(i).padStart(4, '0')}${'f'.repeat(12)}`;
    // As a digest since issue 22 has them, the clock's: 12 flaps (10 named in the HTML) and the sample's 3 oldest unacknowledged.
    d.detected!.flaps = Array.from({ length: 12 }, (_, i) => ({ alertId: id(i), rule: 'ADM-CROSS-REGION', region: '410811', reopens: 5 }));
    d.detected!.oldestUnacked = d.detected!.oldestUnacked.map((a, i) => ({ ...a, alertId: id(20 + i) }));
    const expires = new Date('2025-07-14T00:30:00Z');
    const links = (alertId: string) => alertLinks('https://edumon.jyj.jiaozuo.gov.cn/console', alertId, 'city', expires, 'k'.repeat(64));
    const r = await renderDigest(d, { ...zh, links });
    expect(Buffer.byteLength(r.html)).toBeLessThan(HTML_MAX_BYTES);
    expect(r.html).not.toContain('<a ');
    expect(r.html).toBe((await renderDigest(d, zh)).html);
    expect(r.text.match(/\n {4}查看告警：https:/g)).toHaveLength(15);
    expect(r.text.match(/\n {4}确认告警：https:/g)).toHaveLength(3);
    // The city's sample digest has room: its HTML keeps them.
    const sample = await renderDigest(sampleDigest(), { ...zh, links });
    expect(sample.html.match(/>确认告警<\/a>/g)).toHaveLength(3);
    expect(Buffer.byteLength(sample.html)).toBeLessThan(HTML_MAX_BYTES);
  });

  it('links the alerts it lists: each to its console page, the oldest unacknowledged also to acknowledge, escaped like every value', async () => {
    const links = (alertId: string) => ({ view: `https://edumon.example.cn/c/alerts/${alertId}`, ack: `https://edumon.example.cn/c/l/t-${alertId}&"x"` });
    const r = await renderDigest(sampleDigest(), { ...zh, links });
    expect(r.html).toContain(
      '<a href="https://edumon.example.cn/c/alerts/a-20250612-0007" style="color:#1d4ed8">a-20250612-0007</a><br><a href="https://edumon.example.cn/c/l/t-a-20250612-0007&#38;&#34;x&#34;" style="color:#1d4ed8">确认告警</a>',
    );
    expect(r.html).toMatch(/a-20250703-0112[^<]*　<a href="https:\/\/edumon\.example\.cn\/c\/alerts\/a-20250703-0112" style="color:#1d4ed8">查看告警<\/a>/);
    expect(r.html).not.toContain('"x"');
    expect(r.text).toContain(
      'a-20250612-0007  INSURANCE-MISSING 社保未缴  孟州市  410883102  2025-06-12 09:30（北京时间）  24 天\n    查看告警：https://edumon.example.cn/c/alerts/a-20250612-0007\n    确认告警：https://edumon.example.cn/c/l/t-a-20250612-0007&"x"\n',
    );
    expect(r.text).toMatch(/a-20250703-0112.*\n {4}查看告警：https:\/\/edumon\.example\.cn\/c\/alerts\/a-20250703-0112\n(?! {4}确认)/);
    // A reader not known (a preview by region): the pages only.
    const viewOnly = await renderDigest(sampleDigest(), { ...zh, links: (alertId) => ({ view: links(alertId).view }) });
    expect(viewOnly.html).toContain('>a-20250612-0007</a></td>');
    for (const body of [viewOnly.html, viewOnly.text]) expect(body).not.toContain('确认告警');
    // No links: as before.
    const plain = await renderDigest(sampleDigest(), zh);
    expect(plain.html).not.toContain('<a ');
    expect(plain.text).not.toContain('查看告警');
  });

  it('escapes hostile producer text: HTML and bidi controls never act, in HTML, text or subject', async () => {
    const d = smallDigest();
    const evil = '<script>alert("x")</script>\u202eevil\u2066&<img src=x onerror=alert(1)>';
    d.quality.rejections = [{ reason: evil, count: 2 }];
    d.quality.failedRules = [{ rule: 'KG-GER', error: evil }];
    d.alerts.oldestUnacked = [
      { alertId: `a-1${evil}`, rule: 'KG-GER', region: '410823', schoolId: `41082300${evil}`, openedAt: '2025-07-01T00:00:00Z', ageDays: 5 },
    ];
    d.alerts.flaps = [{ alertId: evil, rule: evil, region: evil, reopens: 3 }];
    const r = await renderDigest(d, { ...zh, regionOf: (code) => (code === '410800' ? `焦作市${evil}` : code) });
    for (const part of [r.html, r.text, r.subject]) {
      expect(part).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
      expect(part).toContain('\\u202e');
    }
    expect(r.html).not.toMatch(/<script|<img src=x/i);
    expect(r.html).toContain('&#60;script&#62;');
    expect(r.html).toContain('&#60;img src=x onerror=alert(1)&#62;');
    expect(r.text).toContain('<script>alert("x")</script>\\u202eevil');
  });

  it('renders English for an English reader', async () => {
    const r = await renderDigest(smallDigest(), en);
    expect(r.subject).toBe('[Weekly] Jiaozuo 2025-W27 indicators: 3 below target, 2 worse');
    expect(r.html).toContain('<html lang="en">');
    for (const body of [r.html, r.text]) {
      expect(body).toContain('Jiaozuo education indicators, 2025-W27 (30 Jun – 6 Jul)');
      const at = ['Data quality', 'Worse this week', 'Indicators', 'Alerts this week'].map((s) => body.indexOf(s));
      expect([...at].sort((a, b) => a - b)).toEqual(at);
      expect(body).toContain('Preschool gross enrolment rate');
      expect(body).toContain('↓ -1.2 pts');
      expect(body).toContain('✗ missed');
      expect(body).toContain('2025-07-06 23:59 (Beijing time)');
      // No Chinese in the fixed words (the figure sources quote the plans, which are Chinese).
      expect(body).not.toMatch(/达标|数据质量|北京时间|个百分点/);
    }
    expect(r.attachments.find((a) => a.filename.endsWith('.xlsx'))!.filename).toBe('Jiaozuo indicators 2025-W27.xlsx');
  });

  describe('in Asia/Shanghai whatever the process TZ', () => {
    const saved = process.env.TZ;
    afterEach(() => {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    });
    it('shows the same dates and times in Los Angeles, Kiritimati and UTC', async () => {
      const bodies: string[] = [];
      for (const tz of ['America/Los_Angeles', 'Pacific/Kiritimati', 'UTC']) {
        process.env.TZ = tz;
        const r = await renderDigest(sampleDigest(), zh);
        expect(r.html).toContain('2025-W27（6月30日—7月6日）');
        expect(r.text).toContain('数据截至：2025-07-06 23:59（北京时间）');
        expect(r.text).toContain('生成时间：2025-07-07 08:30（北京时间）');
        expect(r.text).toContain('a-20250612-0007  INSURANCE-MISSING 社保未缴  孟州市  410883102  2025-06-12 09:30（北京时间）  24 天');
        bodies.push(r.html);
      }
      expect(new Set(bodies).size).toBe(1);
    });
    it('names a week across the new year with its years', async () => {
      const d = smallDigest();
      d.week = { label: '2025-W01', year: 2025, week: 1, start: '2024-12-29T16:00:00.000Z', end: '2025-01-05T16:00:00.000Z', asOf: '2025-01-05T15:59:59.999Z' };
      expect((await renderDigest(d, zh)).text).toContain('焦作市教育监测周报 2025-W01（2024年12月30日—2025年1月5日）');
    });
  });
});

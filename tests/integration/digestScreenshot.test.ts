/**
 * The sample weekly digest (alerts/digest/sampleDigest.ts, the city's: 12 regions × 15 figures) as
 * a reader's mail client shows it: headless Chromium (/usr/bin/chromium; apt-get install chromium
 * fonts-noto-cjk), offline, every request refused and counted. The cid: trend pictures are inlined
 * as data: URLs for the browser (tools/inlineCidImages.ts), as a mail client resolves them from the
 * message's parts.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderDigest } from '../../alerts/digest/render.ts';
import { SAMPLE_RULE_TITLES, sampleDigest, sampleFigureDefs } from '../../alerts/digest/sampleDigest.ts';
import { regions } from '../../core/regions.ts';
import { inlineCidImages } from '../../tools/inlineCidImages.ts';
import { renderInBrowser } from '../../tools/renderInBrowser.ts';

const dir = mkdtempSync(join(tmpdir(), 'edumon-digest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const VIEWPORT = { width: 680, height: 1000 };

describe('the weekly digest in a browser', () => {
  it('shows the city’s digest offline, no wider than 680 px, with every region and its trend images loaded', async () => {
    const digest = await renderDigest(sampleDigest(), { language: 'zh-CN', defs: sampleFigureDefs(), ruleTitle: (r) => SAMPLE_RULE_TITLES[r] });
    const png = join(dir, 'weekly-digest.png');
    const view = await renderInBrowser(inlineCidImages(digest.html, digest.attachments), png, { mainId: 'edumon-digest', viewport: VIEWPORT });

    expect(view.requests).toEqual([]);
    expect(view.emailWidth).toBe(640);
    expect(view.documentWidth).toBeLessThanOrEqual(680);

    for (const section of ['数据质量', '本周变差', '指标一览', '本周告警']) expect(view.text).toContain(section);
    expect(view.text).toContain('焦作市教育监测周报 2025-W27（6月30日—7月6日）');
    for (const r of regions) expect(view.text).toContain(r.zh);
    expect(view.text).toContain('✗ 未达标');
    expect(view.text).toContain('个百分点');

    // 180 rows less the five districts' 县中 funds (no values): each shows a decoded trend picture, 100 × 24 CSS px drawn at 2x.
    expect(view.images.length).toBe(175);
    expect(view.images.filter((i) => i.naturalWidth !== 200)).toEqual([]);

    const bytes = readFileSync(png);
    expect(bytes.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(bytes.readUInt32BE(16)).toBe(680);
    expect(bytes.readUInt32BE(20)).toBeGreaterThan(4000);
    expect(bytes.length).toBeGreaterThan(200_000);
  });

  it('has no image a mail client could not resolve', async () => {
    const digest = await renderDigest(sampleDigest(), { language: 'zh-CN', defs: sampleFigureDefs() });
    expect(() => inlineCidImages(digest.html, digest.attachments)).not.toThrow();
    expect(() => inlineCidImages('<img src="cid:nope">', digest.attachments)).toThrow(/cid:nope/);
  });
});

/**
 * Colour follows the word (issue 22): a reader who sees `→ 持平` must not see red or green beside
 * it, a met `≤` target must not look 80% done, and a figure that only wobbles in its third decimal
 * must not be drawn as if it swung.
 */
import { describe, expect, it } from 'vitest';
import type { Digest, FigureValue } from '../../alerts/digest/model.ts';
import { renderDigest } from '../../alerts/digest/render.ts';
import { sampleDigest, sampleFigureDefs } from '../../alerts/digest/sampleDigest.ts';
import { trendRange, trendSvg } from '../../alerts/digest/trendChart.ts';
import { resvg } from '../../core/lazyRequire.ts';

const GREEN = '#15803d';
const RED = '#b91c1c';
const GRAY = '#6b7280';

/** Every change cell of the HTML body (an arrow word or 持平) with its colour. */
function changeCells(html: string): Array<{ color: string; text: string }> {
  return [...html.matchAll(/<td style="color:(#[0-9a-f]{6})">((?:↑|↓|→) [^<]*)<\/td>/g)].map((m) => ({ color: m[1]!, text: m[2]! }));
}

/** The sample digest with changes too small to print in both directions on figures of every unit. */
function tinyChanges(): Digest {
  const d = sampleDigest();
  const tweak: Record<string, number> = { kgGer: 0.04, kgPuhui: -0.049, kgTeacherRatio: 0.03, wageGapYuan: 0.4, hsGer: -0.003, oversizeClasses: 0.04 };
  d.figures = d.figures.map(
    (f): FigureValue => (f.region in { '410821': 1, '410822': 1 } && tweak[f.figure] !== undefined ? { ...f, change: tweak[f.figure]! } : f),
  );
  // A new shortfall whose change is too small to print lists under 本周变差 too.
  d.worse = [...d.worse, { figure: 'kgGer', region: '410821', reason: 'new-shortfall', change: 0.04 }];
  return d;
}

describe('colour follows the word', () => {
  it('colours every change printed as 持平 gray, and only printed rises and falls green or red', async () => {
    const r = await renderDigest(tinyChanges(), { language: 'zh-CN', defs: sampleFigureDefs() });
    const cells = changeCells(r.html);
    const same = cells.filter((c) => c.text === '→ 持平');
    expect(same.length).toBeGreaterThanOrEqual(13); // the 12 tweaked rows and the 本周变差 line at least
    expect(same.filter((c) => c.color !== GRAY)).toEqual([]);
    for (const c of cells.filter((x) => x.text !== '→ 持平')) {
      expect([GREEN, RED]).toContain(c.color);
      expect(c.text).not.toMatch(/[+-]0(?:\.0)?(?: |$)/); // a printed rise or fall is never zero
    }
    // The tweaked rows themselves: 修武县's and 博爱县's 学前三年毛入园率 read 持平, in gray.
    for (const region of ['修武县', '博爱县']) {
      const i = r.html.indexOf(`<td>${region}</td>`, r.html.indexOf('学前三年毛入园率</b>'));
      expect(changeCells(r.html.slice(i, i + 400))[0]).toEqual({ color: GRAY, text: '→ 持平' });
    }
  });

  it('draws a met ≤ target (children per teacher) as a full bar, a missed one as target over value', async () => {
    const d = sampleDigest();
    const defs = sampleFigureDefs();
    d.figures = d.figures.map((f) =>
      f.figure !== 'kgTeacherRatio' ? f : f.region === '410821' ? { ...f, value: 12, met: true } : f.region === '410822' ? { ...f, value: 20, met: false } : f,
    );
    const r = await renderDigest(d, { language: 'zh-CN', defs });
    const bar = (region: string) => {
      const row = r.html
        .split('<tr')
        .find((t) => t.includes(`>${region === '410821' ? '修武县' : '博爱县'}</td><td align="right">1:${region === '410821' ? '12.0' : '20.0'}`));
      expect(row, region).toBeDefined();
      const i = r.html.indexOf(row!);
      const fill = /<td width="(\d+)" bgcolor="(#[0-9a-f]{6})"><\/td>/.exec(r.html.slice(i, i + 1200));
      return { px: Number(fill?.[1] ?? 0), color: fill?.[2] };
    };
    expect(bar('410821')).toEqual({ px: 64, color: GREEN }); // 1:12 meets ≤ 1:15: full, not 12/15 = 80%
    expect(bar('410822')).toEqual({ px: 48, color: RED }); // 1:20 misses: 15/20 = 75% of 64 px
  });

  it('draws a sparkline of noise (90.003–90.009%) flat, and a real move (90–95%) across the picture', () => {
    const drawnRows = (values: number[]) => {
      const img = new (resvg().Resvg)(trendSvg(values, { target: 90, width: 100, height: 24 }), { font: { loadSystemFonts: false } }).render();
      const rows = new Set<number>();
      for (let y = 0; y < img.height; y++)
        for (let x = 0; x < img.width; x++) {
          const [r, , b] = img.pixels.subarray((y * img.width + x) * 4, (y * img.width + x) * 4 + 3);
          if (b! - r! > 80) rows.add(y); // the line's blue, not the gray target line or the white ground
        }
      return rows.size;
    };
    const noise = drawnRows([90.003, 90.005, 90.004, 90.009, 90.006, 90.003, 90.008, 90.007]);
    const move = drawnRows([90, 90.5, 91, 92, 93, 93.5, 94, 95]);
    expect(noise).toBeLessThanOrEqual(4); // the line's own width, and its end dot
    expect(move).toBeGreaterThan(12);
    // The axis spans at least 5% of the figure's size around the values: 90.009 × 5% = 4.5 points.
    const { min, max } = trendRange([90.003, 90.009], 90);
    expect(max - min).toBeGreaterThan(4.5);
  });
});

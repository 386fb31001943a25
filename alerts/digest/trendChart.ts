/**
 * The digest's 8-week trend pictures: a sparkline drawn on the server with ECharts' SSR SVG
 * renderer and rasterised to PNG by resvg, no browser. Mail clients show PNG (cid: attachments)
 * but not SVG, and no client runs a chart's script. A missing week (null) is a gap in the line, the
 * target a dashed gray line, the last week a dot. A picture with text gets the Noto CJK font
 * explicitly (no system font lookup), so Chinese text drawn is never tofu on a bare server; one
 * without (the sparkline draws none) is rasterised without loading the font.
 */
import { existsSync } from 'node:fs';
import { EdumonError } from '../../core/errors.ts';
import { echarts, resvg } from '../../core/lazyRequire.ts';

/** Where Debian's and Ubuntu's fonts-noto-cjk put the font, and where other distributions do. */
const CJK_FONT_PATHS = [
  '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc',
];

/**
 * The Noto Sans CJK font file: `configured` (render.cjkFont, EDUMON_CJK_FONT) if given, else the
 * first of the known paths that exists. Throws EdumonError naming the package when none does.
 */
export function cjkFontPath(configured: string | null = null): string {
  const candidates = configured ? [configured] : CJK_FONT_PATHS;
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new EdumonError(
      `no Noto Sans CJK font for the digest's charts (looked at ${candidates.join(', ')}): apt-get install -y fonts-noto-cjk, or set EDUMON_CJK_FONT`,
    );
  }
  return found;
}

/** Options of one trend picture; width and height in CSS px (the PNG has `scale` times as many pixels). */
export interface TrendOptions {
  /** The target, drawn as a dashed line (and kept inside the vertical range), or null for none. */
  target: number | null;
  width?: number;
  height?: number;
  /** Device pixels per CSS px: 2 keeps the line crisp on high-density screens. */
  scale?: number;
  /** Colour of the line: the renderer gives red to a missed target. */
  color?: string;
  /** The CJK font file (render.cjkFont); default: cjkFontPath's search. */
  cjkFont?: string | null;
}

/** The default size in CSS px: the width the digest's trend column gives it. */
export const TREND_SIZE = { width: 120, height: 32 } as const;

/**
 * The least vertical range a sparkline spans, as a share of the larger of |target| and the largest
 * |value|: 5% (4.5 points for a 90% target, 0.75 for a ratio of 15), so a wobble in the third
 * decimal is drawn flat, not edge to edge as if the figure swung.
 */
export const MIN_RANGE_SHARE = 0.05;

/**
 * The vertical axis of a sparkline of `known` values with `target`: [min, max] covering both, at
 * least MIN_RANGE_SHARE of their magnitude tall (centred on them), with 12% headroom so the line
 * never touches the edge; a flat line at 0 with no target sits in the middle of [-1, 1].
 */
export function trendRange(known: readonly number[], target: number | null): { min: number; max: number } {
  const span = [...known, ...(target === null ? [] : [target])];
  let min = span.length ? Math.min(...span) : 0;
  let max = span.length ? Math.max(...span) : 1;
  const least = Math.max(...span.map(Math.abs), 0) * MIN_RANGE_SHARE;
  if (max - min < least) {
    const mid = (max + min) / 2;
    [min, max] = [mid - least / 2, mid + least / 2];
  }
  const pad = max > min ? (max - min) * 0.12 : Math.max(Math.abs(max) * 0.05, 1);
  return { min: min - pad, max: max + pad };
}

/**
 * A PNG sparkline of `values` (oldest first; null is a week without a value) with `target` as a
 * dashed line, `width` × `height` CSS px at `scale` (2: 240 × 64 pixels by default).
 */
export function trendPng(values: ReadonlyArray<number | null>, opts: TrendOptions): Buffer {
  const svg = trendSvg(values, opts);
  const scale = opts.scale ?? 2;
  // Loading the font costs more than drawing the line: only a picture with text gets it.
  const font = svg.includes('<text')
    ? { fontFiles: [cjkFontPath(opts.cjkFont)], loadSystemFonts: false, defaultFontFamily: 'Noto Sans CJK SC' }
    : { loadSystemFonts: false };
  return new (resvg().Resvg)(svg, { fitTo: { mode: 'zoom', value: scale }, font }).render().asPng();
}

/** The SVG trendPng rasterises, `width` × `height` CSS px (the vertical axis from trendRange). */
export function trendSvg(values: ReadonlyArray<number | null>, opts: TrendOptions): string {
  const width = opts.width ?? TREND_SIZE.width;
  const height = opts.height ?? TREND_SIZE.height;
  const color = opts.color ?? '#2563eb';
  const known = values.filter((v): v is number => v !== null && Number.isFinite(v));
  const { min, max } = trendRange(known, opts.target);
  const data = values.map((v) => (v !== null && Number.isFinite(v) ? v : null));
  const last = data.length - 1;
  const chart = echarts().init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({
      animation: false,
      backgroundColor: '#ffffff',
      grid: { left: 3, right: 5, top: 4, bottom: 4 },
      xAxis: { type: 'category', show: false, boundaryGap: false, data: data.map((_, i) => String(i)) },
      yAxis: { type: 'value', show: false, min, max },
      series: [
        {
          type: 'line',
          data: data.map((v, i) => ({ value: v, symbol: i === last ? 'circle' : 'none', symbolSize: 4 })),
          connectNulls: false,
          lineStyle: { width: 1.5, color },
          itemStyle: { color },
          markLine:
            opts.target === null
              ? undefined
              : {
                  silent: true,
                  symbol: 'none',
                  label: { show: false },
                  lineStyle: { type: 'dashed', color: '#6b7280', width: 1 },
                  data: [{ yAxis: opts.target }],
                },
        },
      ],
    });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

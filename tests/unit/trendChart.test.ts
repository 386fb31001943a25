import { describe, expect, it } from 'vitest';
import { cjkFontPath, trendPng } from '../../alerts/digest/trendChart.ts';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Width and height from a PNG's IHDR chunk (big-endian, at bytes 16 and 20). */
const size = (png: Buffer) => ({ width: png.readUInt32BE(16), height: png.readUInt32BE(20) });

describe('trendPng', () => {
  it('draws a valid PNG at twice the CSS size (120 × 32 -> 240 × 64)', () => {
    const png = trendPng([95.4, 95.5, 95.6, 95.8, 95.9, 96, 96.1, 96.2], { target: 97 });
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(size(png)).toEqual({ width: 240, height: 64 });
    // A line, a dashed target and a dot: more than an empty picture's few hundred bytes.
    expect(png.length).toBeGreaterThan(500);
  });

  it('honours width, height and scale', () => {
    expect(size(trendPng([1, 2, 3], { target: null, width: 90, height: 20, scale: 3 }))).toEqual({ width: 270, height: 60 });
  });

  it('gives different values, targets and colours different pictures, and the same ones the same', () => {
    const a = trendPng([1, 2, 3, 4, 5, 6, 7, 8], { target: 5 });
    expect(trendPng([8, 7, 6, 5, 4, 3, 2, 1], { target: 5 }).equals(a)).toBe(false);
    expect(trendPng([1, 2, 3, 4, 5, 6, 7, 8], { target: 2 }).equals(a)).toBe(false);
    expect(trendPng([1, 2, 3, 4, 5, 6, 7, 8], { target: 5, color: '#b91c1c' }).equals(a)).toBe(false);
    expect(trendPng([1, 2, 3, 4, 5, 6, 7, 8], { target: 5 }).equals(a)).toBe(true);
  });

  it('draws missing weeks (null) as a gap, and survives all-missing, flat, single and empty trends', () => {
    const gap = trendPng([1, 2, null, 4, 5, null, 7, 8], { target: 6 });
    expect(size(gap)).toEqual({ width: 240, height: 64 });
    expect(gap.equals(trendPng([1, 2, 3, 4, 5, 6, 7, 8], { target: 6 }))).toBe(false);
    for (const values of [[null, null, null], [0, 0, 0, 0], [42], [], [Number.NaN, 1]]) {
      expect(size(trendPng(values, { target: 0 }))).toEqual({ width: 240, height: 64 });
    }
  });

  it('names the package when the CJK font is missing, and draws a sparkline (no text) without it', () => {
    const withFont = trendPng([1, 2, 3], { target: 2 });
    const missing = '/nonexistent/NotoSansCJK-Regular.ttc';
    expect(() => cjkFontPath(missing)).toThrow(/fonts-noto-cjk/);
    expect(trendPng([1, 2, 3], { target: 2, cjkFont: missing }).equals(withFont)).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { jsonForScript } from '../../service/console/jsonForScript.ts';

describe('jsonForScript', () => {
  it('writes no character that could end or change a <script> element, and parses back to the same value', () => {
    const value = { name: '</script><script>alert(1)</script>', note: '<!-- a & b > c -->', lines: 'x\u2028y\u2029z', n: [1, null, 2.5] };
    const json = jsonForScript(value);
    expect(json).not.toMatch(/[<>&\u2028\u2029]/);
    expect(json).toContain('\\u003c/script\\u003e');
    expect(JSON.parse(json)).toEqual(value);
  });
});

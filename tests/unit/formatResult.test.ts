import { describe, expect, it } from 'vitest';
import { formatResult } from '../../bin/formatResult.ts';
import { visibleText } from '../../core/text.ts';

const result = {
  columns: ['区县', 'n', 'note'],
  rows: [
    ['焦作市解放区', 1, 'a,b'],
    ['ab', 22, 'say "hi"'],
  ] as unknown[][],
};

describe('formatResult', () => {
  it('table: aligns columns counting CJK characters as two columns, and counts rows', () => {
    expect(formatResult(result, 'table').split('\n')).toEqual([
      '区县         │ n  │ note',
      '─────────────┼────┼─────────',
      '焦作市解放区 │ 1  │ a,b',
      'ab           │ 22 │ say "hi"',
      '(2 rows)',
    ]);
  });

  it('table: shows null as empty, objects as JSON, and says "1 row"', () => {
    expect(formatResult({ columns: ['a', 'b'], rows: [[null, { k: [1] }]] }, 'table').split('\n')).toEqual([
      'a │ b',
      '──┼──────────',
      '  │ {"k":[1]}',
      '(1 row)',
    ]);
  });

  it('table: an empty result still has its header and "(0 rows)"', () => {
    expect(formatResult({ columns: ['a'], rows: [] }, 'table')).toBe('a\n─\n(0 rows)');
  });

  it('csv: a BOM, the header row, then rows, each line ending in CRLF; quotes cells with commas or quotes; a newline is escaped, never raw', () => {
    const r = {
      columns: ['a,b', 'c'],
      rows: [
        ['x\ny', 'plain'],
        ['say "hi"', null],
        ['焦作', 3],
      ] as unknown[][],
    };
    expect(formatResult(r, 'csv')).toBe('\ufeff"a,b",c\r\nx\\u000ay,plain\r\n"say ""hi""",\r\n焦作,3\r\n');
  });

  it('json: one object per row keyed by column, nulls kept', () => {
    const lines = formatResult(
      {
        columns: ['区县', 'n', 'x'],
        rows: [
          ['焦作', 1, null],
          ['b', 2],
        ],
      },
      'json',
    ).split('\n');
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { 区县: '焦作', n: 1, x: null },
      { 区县: 'b', n: 2, x: null },
    ]);
  });

  it('json: an empty result is empty output', () => {
    expect(formatResult({ columns: ['a'], rows: [] }, 'json')).toBe('');
  });

  it('escapes C0, C1, DEL and bidi characters visibly, in cells and column names alike', () => {
    expect(visibleText('a\u0000\u001b\u007f\u0085\u009b\u200f\u202e\u2067\u2028b')).toBe('a\\u0000\\u001b\\u007f\\u0085\\u009b\\u200f\\u202e\\u2067\\u2028b');
    const r = { columns: ['na\u001bme'], rows: [['x\r\ny']] };
    expect(formatResult(r, 'table')).toBe('na\\u001bme\n──────────────\nx\\u000d\\u000ay\n(1 row)');
    expect(formatResult(r, 'csv')).toBe('\ufeffna\\u001bme\r\nx\\u000d\\u000ay\r\n');
  });

  it('json: C1 and bidi characters are written as \\u escapes, and the value is unchanged', () => {
    const line = formatResult({ columns: ['s'], rows: [['\u009b\u202e\u001b']] }, 'json');
    expect(line).toBe('{"s":"\\u009b\\u202e\\u001b"}');
    expect(JSON.parse(line)).toEqual({ s: '\u009b\u202e\u001b' });
  });

  it('table: renders 300k rows (spreading them into Math.max overflowed the stack)', () => {
    const rows = Array.from({ length: 300_000 }, (_, i) => [i, `school-${i}`]);
    expect(formatResult({ columns: ['n', 'name'], rows }, 'table').endsWith('\n(300000 rows)')).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { formatResult } from '../../pipeline/formatResult.ts';

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

  it('csv: header row, then rows; quotes cells with commas, quotes or newlines', () => {
    const r = { columns: ['a,b', 'c'], rows: [['x\ny', 'plain'], ['say "hi"', null], ['焦作', 3]] as unknown[][] };
    expect(formatResult(r, 'csv')).toBe('"a,b",c\n"x\ny",plain\n"say ""hi""",\n焦作,3');
  });

  it('json: one object per row keyed by column, nulls kept', () => {
    const lines = formatResult({ columns: ['区县', 'n', 'x'], rows: [['焦作', 1, null], ['b', 2]] }, 'json').split('\n');
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { 区县: '焦作', n: 1, x: null },
      { 区县: 'b', n: 2, x: null },
    ]);
  });

  it('json: an empty result is empty output', () => {
    expect(formatResult({ columns: ['a'], rows: [] }, 'json')).toBe('');
  });
});

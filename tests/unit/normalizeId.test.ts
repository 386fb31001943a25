import { describe, expect, it } from 'vitest';
import { normalizeId, normalizePersonId, sciNotationProblem } from '../../domain/normalizeId.ts';

describe('normalizeId', () => {
  it('trims spaces, tabs, the ideographic space U+3000 and no-break spaces around an id', () => {
    for (const s of ['XW2025-0001 ', ' XW2025-0001', '\tXW2025-0001\t', '\u3000XW2025-0001\u3000', '\u00a0XW2025-0001\u00a0']) {
      expect(normalizeId(s)).toBe('XW2025-0001');
    }
  });
  it('turns full-width letters, digits and hyphens (Chinese input methods) into ASCII', () => {
    expect(normalizeId('ＸＷ２０２５－０００１')).toBe('XW2025-0001');
    expect(normalizeId('３４４１０８０２０１')).toBe('3441080201');
  });
  it('keeps case and inner characters (class and event ids)', () => {
    expect(normalizeId('2025级01班 a')).toBe('2025级01班 a');
    expect(normalizeId('ev-Abc')).toBe('ev-Abc');
  });
});

describe('normalizePersonId', () => {
  it('upper-cases letters: an ID card ending in x is the one ending in X', () => {
    expect(normalizePersonId('41082120090101123x')).toBe('41082120090101123X');
    expect(normalizePersonId(' ｘｗ２０２５－０００１\u3000')).toBe('XW2025-0001');
  });
});

describe('sciNotationProblem', () => {
  it('rejects what Excel shows for a long number, giving its shape and not its digits', () => {
    const p = sciNotationProblem('4.10821E+17');
    expect(p).toBe(
      'looks like a number in scientific notation (d.dddddE+17): Excel rounds long ids, so different people become one; format the column as text and export it again',
    );
    expect(p).not.toMatch(/4\.1|10821/);
    expect(sciNotationProblem('4E+17')).toMatch(/\(dE\+17\)/);
    expect(sciNotationProblem('4.10821e+17')).toMatch(/\(d\.dddddE\+17\)/);
  });
  it('lets ordinary ids through', () => {
    for (const id of ['410821200901011234', 'XW2025-0001', 'PAY-0000042', 'JZ00000001', '2025E1', 'E+17']) expect(sciNotationProblem(id)).toBeUndefined();
  });
});

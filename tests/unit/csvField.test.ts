import { describe, expect, it } from 'vitest';
import { csvField, csvLine } from '../../core/csv.ts';
import { csvRow, isNumericType } from '../../service/rowText.ts';

describe('csvField: no cell a spreadsheet would run as a formula (OWASP CSV Injection)', () => {
  it("prefixes text starting with = + - @ with ', and quotes it when it holds a quote, comma or semicolon", () => {
    expect(csvField('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvField("+1+cmd|' /C calc'!A0")).toBe("'+1+cmd|' /C calc'!A0");
    expect(csvField('-2+3')).toBe("'-2+3");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('=1;=2')).toBe(`"'=1;=2"`);
  });

  it('writes a leading tab or CR visibly, so it leads nothing', () => {
    expect(csvField('\t=1+1')).toBe('\\u0009=1+1');
    expect(csvField('\r=1+1')).toBe('\\u000d=1+1');
  });

  it('leaves other text alone: Chinese, a formula character inside, an empty or NULL cell', () => {
    expect(csvField('修武县城关镇阳光幼儿园')).toBe('修武县城关镇阳光幼儿园');
    expect(csvField('a=b-c')).toBe('a=b-c');
    expect(csvField('')).toBe('');
    expect(csvField(null)).toBe('');
  });

  it('keeps a negative number of a numeric column as a number; text that looks like one is still prefixed', () => {
    for (const n of ['-3', '-3.50', '-1e-7', '1e+30', '-.5']) expect(csvField(n, true)).toBe(n);
    expect(csvField('-3')).toBe("'-3");
    expect(csvField('-Infinity', true)).toBe("'-Infinity");
    expect(csvField('-2+3', true)).toBe("'-2+3");
  });

  it('ends every line with CRLF', () => {
    expect(csvLine(['a', 'b'])).toBe('a,b\r\n');
  });
});

describe('csvRow: numbers told from text by the column type', () => {
  it('keeps BIGINT and DECIMAL negatives (strings from DuckDB) and JavaScript numbers; prefixes a VARCHAR "-3"', () => {
    expect(csvRow(['-3', '-3.50', -4, '-3', null], ['BIGINT', 'DECIMAL(18,2)', 'INTEGER', 'VARCHAR', 'VARCHAR'])).toBe("-3,-3.50,-4,'-3,\r\n");
    expect(csvRow(['-3', -4])).toBe("'-3,-4\r\n");
  });

  it('knows DuckDB numeric type names', () => {
    for (const t of ['TINYINT', 'UBIGINT', 'HUGEINT', 'UHUGEINT', 'FLOAT', 'DOUBLE', 'DECIMAL(5,2)', 'DECIMAL']) expect(isNumericType(t)).toBe(true);
    for (const t of ['VARCHAR', 'DATE', 'INTEGER[]', 'TIMESTAMP WITH TIME ZONE', undefined]) expect(isNumericType(t)).toBe(false);
  });
});

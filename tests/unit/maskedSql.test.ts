import { describe, expect, it } from 'vitest';
import { maskedSql } from '../../service/console/maskedSql.ts';

describe('an analyst statement in the audit trail', () => {
  it('keeps the shape of the query and no value typed into it', () => {
    expect(maskedSql(`select * from admissions where student_pseudonym = 'G410821200901011234' and region_code = '410821'`, 200)).toBe(
      'select * from admissions where student_pseudonym = ? and region_code = ?',
    );
  });

  it('masks a quote inside a literal, an unclosed literal, dollar quoting and long numbers', () => {
    expect(maskedSql(`select 'O''Brien', $$410821200901011234$$, $x$secret$x$ from t where id = 410821200901011234 and n > 55`, 200)).toBe(
      'select ?, ?, ? from t where id = ? and n > 55',
    );
    expect(maskedSql(`select * from t where name = '张三 410821200901011234`, 200)).toBe('select * from t where name = ?');
  });

  it('masks names typed in double quotes and comments, and keeps quoted column names', () => {
    expect(maskedSql(`select * from enrollments where school_id = "张三丰" -- 张三丰的孩子`, 200)).toBe('select * from enrollments where school_id = ? /*?*/');
    expect(maskedSql(`select "at", "partition" /* 410821200901011234 */ from t`, 200)).toBe('select "at", "partition" /*?*/ from t');
  });

  it("masks the values DuckDB's errors quote back", () => {
    expect(maskedSql(`Conversion Error: Could not convert string 'G410821200901011234' to INT32`, 300)).toBe(
      'Conversion Error: Could not convert string ? to INT32',
    );
  });

  it('cuts to the length kept, after masking', () => {
    expect(maskedSql(`select '${'x'.repeat(500)}' as a`, 12)).toBe('select ? as ');
  });
});

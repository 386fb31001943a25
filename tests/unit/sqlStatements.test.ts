import { describe, expect, it } from 'vitest';
import { sqlStatements } from '../../core/sqlStatements.ts';

describe('named SQL statements', () => {
  it('reads each named file of the folder', () => {
    const sql = sqlStatements('alerts', ['record_run', 'last_runs']);
    expect(sql.record_run).toMatch(/^insert into rule_runs \(rule, as_of, effective_as_of, started_at, duration_ms, rows_found, ok, error\)$/m);
    expect(sql.last_runs).toMatch(/from rule_runs/);
  });

  it('fails at once on a missing one, naming its file', () => {
    expect(() => sqlStatements('alerts', ['record_run', 'no_such_statement'])).toThrow(/sql\/alerts\/no_such_statement\.sql/);
  });
});

/** shanghai_time (sql/views) is UTC+8 arithmetic: it must agree with the time-zone database. */
import { DuckDBInstance } from '@duckdb/node-api';
import { expect, it } from 'vitest';
import { connect } from '../../core/db.ts';
import { migrate } from '../../pipeline/migrate.ts';

it("shanghai_time agrees with timezone('Asia/Shanghai', ·) across day, month, year and leap-day boundaries", async () => {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await connect(instance);
  try {
    await migrate(conn);
    const reader = await conn.runAndReadAll(`
      with instants as (
        select unnest(['1992-01-01T00:00:00Z', '2024-02-28T15:59:59.999999Z', '2024-02-28T16:00:00Z', '2025-06-30T16:30:00Z',
          '2025-12-31T15:59:59Z', '2025-12-31T16:00:00Z', '2026-11-28T20:00:00+00:00']::timestamptz[]) as t
        union all select '2023-01-01T00:00:00Z'::timestamptz + to_minutes(37 * i) from range(50000) r(i)
      )
      select count(*)::int as n, count(*) filter (shanghai_time(t) <> timezone('Asia/Shanghai', t))::int as differ,
        strftime(shanghai_time('2025-12-31T16:00:00Z'::timestamptz), '%Y-%m-%d %H:%M') as new_year
      from instants`);
    expect(reader.getRowObjectsJson()).toEqual([{ n: 50_007, differ: 0, new_year: '2026-01-01 00:00' }]);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
});

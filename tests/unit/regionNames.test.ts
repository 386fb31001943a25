/** The warehouse's region_names view (sql/views/region_names.sql) names every region as core/regions.ts does, and nothing else. */
import { DuckDBInstance } from '@duckdb/node-api';
import { expect, it } from 'vitest';
import { connect } from '../../core/db.ts';
import { regions } from '../../core/regions.ts';
import { migrate } from '../../pipeline/migrate.ts';

it('region_names holds core/regions.ts: every code with its Chinese and English name', async () => {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await connect(instance);
  try {
    await migrate(conn);
    const rows = (await conn.runAndReadAll('select region_code, name_zh, name_en from region_names order by region_code')).getRows();
    expect(rows).toEqual(regions.map((r) => [r.code, r.zh, r.en]).sort((a, b) => a[0]!.localeCompare(b[0]!)));
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
});

/**
 * Applies sql/migrations/NNNN_*.sql in order, each in one transaction and recorded in
 * schema_migrations, then (re)creates every view in sql/views/.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { inTransaction, sqlFiles, sqlText } from '../core/db.ts';
import { EdumonError, messageOf } from '../core/errors.ts';

export interface MigrationReport {
  applied: string[];
  views: number;
}

/** Brings the warehouse schema up to date. Safe to run any number of times. */
export async function migrate(conn: DuckDBConnection): Promise<MigrationReport> {
  await conn.run(
    `create table if not exists schema_migrations (version varchar primary key, applied_at timestamptz not null)`,
  );
  const done = new Set(
    (await conn.runAndReadAll('select version from schema_migrations')).getRows().map((r) => String(r[0])),
  );
  const applied: string[] = [];
  for (const name of sqlFiles('migrations')) {
    const version = name.slice('migrations/'.length);
    if (done.has(version)) continue;
    try {
      await inTransaction(conn, async () => {
        await conn.run(sqlText(name));
        await conn.run(`insert into schema_migrations values ($1, now())`, [version]);
      });
    } catch (err) {
      throw new EdumonError(`migration sql/${name}.sql failed: ${messageOf(err)}`, { cause: err });
    }
    applied.push(version);
  }
  const views = sqlFiles('views');
  for (const name of views) {
    try {
      await conn.run(sqlText(name));
    } catch (err) {
      throw new EdumonError(`view sql/${name}.sql failed: ${messageOf(err)}`, { cause: err });
    }
  }
  return { applied, views: views.length };
}

/**
 * Applies sql/migrations/NNNN_*.sql in order, each in one transaction and recorded in
 * schema_migrations, then (re)creates every view in sql/views/. Views and macros are logic that
 * ships with edumon, not data: a read-only connection defines its own (useCurrentViews).
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
  await conn.run(`create table if not exists schema_migrations (version varchar primary key, applied_at timestamptz not null)`);
  const done = new Set((await conn.runAndReadAll('select version from schema_migrations')).getRows().map((r) => String(r[0])));
  const applied: string[] = [];
  for (const { name, version } of migrations()) {
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
  return { applied, views: await createViews(conn, false) };
}

/**
 * Readies a read-only connection: a warehouse with migrations pending is refused (say which and
 * what to run), and this edumon's views and macros are defined as temp ones on the connection,
 * where they shadow the stored ones. So a warehouse last migrated by an older edumon still
 * answers queries and rules with today's logic.
 */
export async function useCurrentViews(conn: DuckDBConnection, warehouse: string): Promise<void> {
  const recorded = await conn
    .runAndReadAll(`select version from schema_migrations`)
    .then((r) => new Set(r.getRows().map((row) => String(row[0]))))
    .catch(() => new Set<string>());
  const pending = migrations()
    .map((m) => m.version)
    .filter((v) => !recorded.has(v));
  if (pending.length) {
    throw new EdumonError(`warehouse ${warehouse} needs migration(s) ${pending.join(', ')}: run \`edumon migrate\` (or start \`edumon run\`, which migrates)`);
  }
  await createViews(conn, true);
}

/** sql/migrations/NNNN_*.sql in order: the name for sqlText, the version schema_migrations records. */
function migrations(): { name: string; version: string }[] {
  return sqlFiles('migrations').map((name) => ({ name, version: name.slice('migrations/'.length) }));
}

/**
 * Runs every sql/views/ file: its views and macros with their comments (`comment on` resolves to
 * the temp ones a read-only connection has just made), then the column comments a view takes from
 * a table (copyColumnComments).
 */
async function createViews(conn: DuckDBConnection, temp: boolean): Promise<number> {
  const views = sqlFiles('views');
  for (const name of views) {
    const text = temp ? sqlText(name).replace(/\bcreate or replace (macro|view)\b/g, 'create or replace temp $1') : sqlText(name);
    try {
      await conn.run(text);
      await copyColumnComments(conn, text, temp);
    } catch (err) {
      throw new EdumonError(`view sql/${name}.sql failed: ${messageOf(err)}`, { cause: err });
    }
  }
  return views.length;
}

/**
 * A view file's `-- @column-comments: TABLE` header: the view's columns with no comment of their
 * own take those of TABLE's columns of the same name (sql/migrations/0008_comments.sql), so a
 * current_* view, which is its table's latest versions, is described once, in the migration.
 */
async function copyColumnComments(conn: DuckDBConnection, text: string, temp: boolean): Promise<void> {
  const table = /^-- @column-comments: (\w+)\b/m.exec(text)?.[1];
  const view = /\bcreate or replace (?:temp )?view (\w+)/.exec(text)?.[1];
  if (!table || !view) return;
  const rows = await conn.runAndReadAll(
    `select v.column_name, t.comment from duckdb_columns() v
     join duckdb_columns() t on t.column_name = v.column_name and t.table_name = $table and t.database_name = current_database() and t.schema_name = 'main'
     where v.table_name = $view and v.database_name = (case when $temp then 'temp' else current_database() end) and v.comment is null and t.comment is not null`,
    { table, view, temp },
  );
  const statements = rows.getRows().map(([column, comment]) => `comment on column ${view}."${String(column)}" is '${String(comment).replaceAll("'", "''")}';`);
  if (statements.length) await conn.run(statements.join('\n'));
}

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
 * the temp ones a read-only connection has just made), then the column comments views take from
 * tables (copyColumnComments).
 */
async function createViews(conn: DuckDBConnection, temp: boolean): Promise<number> {
  const views = sqlFiles('views');
  const texts: string[] = [];
  for (const name of views) {
    const text = temp ? sqlText(name).replace(/\bcreate or replace (macro|view)\b/g, 'create or replace temp $1') : sqlText(name);
    try {
      await conn.run(text);
    } catch (err) {
      throw new EdumonError(`view sql/${name}.sql failed: ${messageOf(err)}`, { cause: err });
    }
    texts.push(text);
  }
  await copyColumnComments(conn, texts, temp);
  return views.length;
}

/**
 * A view file's `-- @column-comments: TABLE` header: the view's columns with no comment of their
 * own take those of TABLE's columns of the same name (sql/migrations/0008_comments.sql), so a
 * current_* view, which is its table's latest versions, is described once, in the migration.
 * One read of duckdb_columns() for all views: each read binds every view.
 */
async function copyColumnComments(conn: DuckDBConnection, texts: readonly string[], temp: boolean): Promise<void> {
  const sourceOf = new Map<string, string>();
  for (const text of texts) {
    const table = /^-- @column-comments: (\w+)\b/m.exec(text)?.[1];
    const view = /\bcreate or replace (?:temp )?view (\w+)/.exec(text)?.[1];
    if (table && view) sourceOf.set(view, table);
  }
  if (!sourceOf.size) return;
  const columns = (
    await conn.runAndReadAll(
      `select table_name, column_name, comment, database_name = 'temp' as is_temp from duckdb_columns()
       where schema_name = 'main' and database_name in ('temp', current_database())`,
    )
  ).getRowObjectsJson();
  const tableComment = new Map(columns.filter((c) => !c.is_temp && c.comment !== null).map((c) => [`${c.table_name}.${c.column_name}`, String(c.comment)]));
  const statements = columns
    .filter((c) => c.is_temp === temp && c.comment === null && sourceOf.has(String(c.table_name)))
    .flatMap((c) => {
      const comment = tableComment.get(`${sourceOf.get(String(c.table_name))}.${c.column_name}`);
      return comment === undefined ? [] : [`comment on column ${c.table_name}."${c.column_name}" is '${comment.replaceAll("'", "''")}';`];
    });
  if (statements.length) await conn.run(statements.join('\n'));
}

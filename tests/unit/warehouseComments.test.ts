/**
 * The warehouse describes itself: every table, view, column and macro of a freshly migrated
 * warehouse has a comment in Chinese and English (Chinese first), and an enum column's comment
 * lists the contract's values. A migration that adds a table or a column without a comment, or a
 * contract enum that gains a value, fails here with the table.column named.
 */
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, openWarehouse } from '../../core/db.ts';
import { eventTypes } from '../../domain/contract.ts';
import { tableOf } from '../../domain/eventTables.ts';
import { migrate } from '../../pipeline/migrate.ts';
import { defOf, shapeOf, unwrapOptional } from '../helpers/contractShapes.ts';

let instance: DuckDBInstance;
let conn: DuckDBConnection;

beforeAll(async () => {
  instance = await openWarehouse(':memory:');
  conn = await connect(instance);
  await migrate(conn);
});
afterAll(() => {
  conn.closeSync();
  instance.closeSync();
});

/** Chinese, then " / ", then English: a CJK character before the separator, a Latin word after it. */
const bilingual = (comment: string | null) => comment !== null && /\p{Script=Han}.* \/ .*\b[A-Za-z]{2,}\b/su.test(comment);

/** Every table, view and column (`table` or `table.column`) and every macro (`macro name()`) whose comment is not bilingual. */
async function undescribed(c: DuckDBConnection): Promise<string[]> {
  const here = `database_name = current_database() and schema_name = 'main' and not internal`;
  const rows = (
    await c.runAndReadAll(
      `select table_name as name, comment from duckdb_tables() where ${here}
       union all select view_name, comment from duckdb_views() where ${here}
       union all select table_name || '.' || column_name, comment from duckdb_columns() where ${here}
       union all select 'macro ' || function_name || '()', comment from duckdb_functions() where database_name = current_database() and not internal
       order by 1`,
    )
  ).getRows();
  return rows.filter(([, comment]) => !bilingual(comment === null ? null : String(comment))).map(([name]) => String(name));
}

/** Every enum field of the contract: its table.column and its values. */
const enumColumns = eventTypes.flatMap((type) =>
  Object.entries(shapeOf(type))
    .map(([field, s]) => ({ column: `${tableOf[type]}.${field}`, def: defOf(unwrapOptional(s)) }))
    .filter(({ def }) => def.type === 'enum')
    .map(({ column, def }) => ({ column, values: Object.values(def.entries ?? {}) })),
);

describe('the warehouse comments', () => {
  it('every table, view, column and macro has a comment in Chinese, then English', async () => {
    const counts = (await conn.runAndReadAll(`select count(*)::int from duckdb_columns() where database_name = current_database() and not internal`)).getRows();
    expect(Number(counts[0]![0])).toBeGreaterThan(250);
    expect(await undescribed(conn), 'no comment, or not "中文 / English": add one to a migration (or the view or macro file)').toEqual([]);
  });

  it('names the column a later migration adds without a comment', async () => {
    const later = await openWarehouse(':memory:');
    const c = await connect(later);
    try {
      await migrate(c);
      await c.run(`alter table alerts add column escalated_at timestamptz; create table later_table (x integer)`);
      await c.run(`comment on column alerts.rule is 'rule only in English'`);
      expect(await undescribed(c)).toEqual(['alerts.escalated_at', 'alerts.rule', 'later_table', 'later_table.x']);
    } finally {
      c.closeSync();
      later.closeSync();
    }
  });

  it.each(enumColumns.map((e) => [e.column, e] as const))("%s: the comment lists the contract's values", async (_, { column, values }) => {
    const [table, name] = column.split('.');
    const rows = (await conn.runAndReadAll(`select comment from duckdb_columns() where table_name = $1 and column_name = $2`, [table!, name!])).getRows();
    expect(values.length).toBeGreaterThan(1);
    for (const v of values) expect(String(rows[0]?.[0]), `${column} does not name \`${v}\``).toContain(`\`${v}\``);
  });

  it('the pseudonym columns say they hold a keyed pseudonym, never the id', async () => {
    const rows = (
      await conn.runAndReadAll(`select table_name || '.' || column_name, comment from duckdb_columns() where column_name like '%_pseudonym' and not internal`)
    ).getRows();
    expect(rows.length).toBeGreaterThanOrEqual(7);
    for (const [column, comment] of rows) expect(String(comment), String(column)).toMatch(/HMAC.*从不存原始标识 \/ .*HMAC.*never the id itself/s);
  });
});

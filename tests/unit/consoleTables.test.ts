/**
 * The console's own tables (its users with their password hashes, sessions, audit trail) against
 * a hostile analyst, on a real migrated in-memory warehouse locked down as the service's is: every
 * shape of statement that could read them is refused, by the parse-tree wall or, for what the tree
 * cannot show (a view or a table macro over one), by the bound-plan wall, and nothing is returned;
 * the analysts' own tables, alerts and alert_acks included, still answer. And a snapshot holds no
 * file of them, nor names them in its load.sql or manifest.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockDown } from '../../core/lockDown.ts';
import { CONSOLE_TABLES } from '../../domain/consoleTables.ts';
import { migrate } from '../../pipeline/migrate.ts';
import { exportSnapshot } from '../../pipeline/snapshot.ts';
import { readQuery, streamQuery } from '../../service/query.ts';

const HASH = 'scrypt$16384$8$1$c2FsdA$SECRET-HASH-0123456789';
const SESSION = 'SECRET-SESSION-abcdef';
const CONSOLE_REFUSED = /is the console's own table .*analysts' SQL cannot read it/;
const FUNCTION_REFUSED = /may not be called here/;

describe('the console tables on a locked-down migrated warehouse', () => {
  let instance: DuckDBInstance;
  let conn: DuckDBConnection;
  const limits = { maxRows: 1000, timeoutMs: 5000 };
  /** The refusal's message, or what was answered (so a failure shows any leak). */
  const outcome = (sql: string) =>
    readQuery(conn, sql, limits).then(
      (r) => `answered: ${JSON.stringify(r.rows).slice(0, 300)}`,
      (e: Error) => e.message,
    );

  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:');
    conn = await instance.connect();
    await migrate(conn);
    await conn.run(`insert into console_users values ('wang', '王', 'admin', [], '${HASH}', false, 3, null, now(), now())`);
    await conn.run(`insert into console_sessions values ('${SESSION}', 'wang', 'csrf-SECRET', now(), now(), '10.0.0.1')`);
    await conn.run(`insert into console_audit values (now(), 'wang', 'login', 'wang', 'ok', '10.0.0.1', null)`);
    await conn.run(`insert into alerts (id, rule, period, severity, status, occurrence, opened_at, last_seen_at)
      values ('A1', 'KG-FACILITY', '2025', 'high', 'open', 1, now(), now())`);
    await conn.run(`insert into alert_acks values ('A1', 1, now(), 'wang', 'confirmed', 'checked')`);
    // None of these exists in edumon: they stand for a view or macro someone might add one day,
    // which the parse tree shows only by its own name.
    await conn.run('create view innocent as select * from console_users');
    await conn.run('create view sessions_seen as select count(*) as n from console_sessions');
    await conn.run('create view none_locked as select 1 as x from console_users where failed_logins > 100');
    await conn.run('create macro innocent_rows() as table select * from console_audit');
    await conn.run(`create view logs_view as select * from duckdb_logs`);
    await lockDown(conn, { memoryLimit: '128MB', noSpill: true });
  });
  afterAll(() => {
    conn.closeSync();
    instance.closeSync();
  });

  it('names the three tables', () => {
    expect(CONSOLE_TABLES).toEqual(['console_users', 'console_sessions', 'console_audit']);
  });

  it('refuses every shape of statement that names a console table, saying so in Chinese and English, and answers none', async () => {
    const shapes = [
      'select * from console_users',
      'select password_hash from console_users',
      'select * from console_sessions',
      'select * from console_audit',
      'select * from "CONSOLE_USERS"',
      'select * from Console_Users',
      'select * from main.console_users',
      'select * from memory.main.console_users',
      'select * from "memory"."main"."console_users"',
      'from console_users',
      'from console_users select password_hash',
      'select * from (from console_users)',
      'table console_users',
      'summarize console_users',
      'select * from (summarize console_users)',
      'describe console_users',
      'show console_users',
      'with c as (select * from console_users) select * from c',
      'with c as (select * from console_users) select 1 as unused',
      'with recursive c(h) as (select password_hash from console_users union all select h from c where false) select * from c',
      `select id from alerts union all select password_hash from console_users`,
      `select id from alerts union by name select id from console_users`,
      'select * from alerts a, lateral (select password_hash from console_users u where u.id = a.acked_by)',
      'select * from alerts a join console_sessions s on a.acked_by = s.user_id',
      `select * from alerts where id in (select password_hash from console_users)`,
      `select exists (select 1 from console_users where password_hash like 'scrypt$1%')`,
      `select (select max(password_hash) from console_users) as h`,
      `select 1 from console_users where failed_logins > 100`,
      `pivot console_users on role in ('admin') using max(password_hash)`,
      `unpivot console_users on id, password_hash into name k value v`,
      `select * from range(3), (select count(*) from console_audit)`,
      `select * from range((select count(*) from console_users))`,
      `select * from alerts limit (select count(*) from console_sessions)`,
      `select * from alerts qualify row_number() over () <= (select count(*) from console_users)`,
      'explain select * from console_users',
      'explain analyze select * from console_users',
      'select * from alerts positional join console_users',
    ];
    const wrong: string[] = [];
    for (const sql of shapes) {
      const message = await outcome(sql);
      if (!CONSOLE_REFUSED.test(message)) wrong.push(`${sql}\n  -> ${message}`);
      if (message.includes('SECRET')) wrong.push(`${sql}\n  -> leaked: ${message}`);
    }
    expect(wrong).toEqual([]);
    expect(await outcome('select * from "CONSOLE_USERS"')).toBe(
      "query: console_users 是控制台自己的表（用户、口令散列、会话、审计），不可查询 / console_users is the console's own table (its users, password hashes, sessions and audit trail); analysts' SQL cannot read it",
    );
  });

  it('refuses a view or table macro over one on the bound plan, even one its statistics prove empty', async () => {
    expect(await outcome('select * from innocent')).toMatch(/query: console_users 是控制台自己的表.*console_users is the console's own table/);
    expect(await outcome('select n from sessions_seen')).toMatch(/console_sessions is the console's own table/);
    expect(await outcome('select * from innocent_rows()')).toMatch(/console_audit is the console's own table/);
    expect(await outcome('explain select * from innocent')).toMatch(CONSOLE_REFUSED);
    // Optimised, this plan is EMPTY_RESULT (failed_logins is at most 3): refused all the same, or
    // refused-versus-empty would tell the console's stored maximum.
    expect(await outcome('select * from none_locked')).toMatch(CONSOLE_REFUSED);
    expect(await outcome('select * from logs_view')).toMatch(/duckdb_logs\(\).* may not be called here/);
  });

  it('refuses table functions that reveal a table named as text, or plan SQL given as text', async () => {
    for (const sql of [
      `select * from pragma_storage_info('console_users')`,
      `select stats from pragma_storage_info('CONSOLE_USERS') where column_name = 'password_hash'`,
      `select * from duckdb_table_sample('console_users')`,
      `select * from query_table('console_users')`,
      `select * from query_table(['console_users', 'console_sessions'])`,
      `select * from query('select * from console_users')`,
      `select json_serialize_plan('select * from console_users')`,
      `select * from duckdb_logs()`,
      `select * from duckdb_logs_parsed('QueryLog')`,
      `select * from duckdb_log_contexts()`,
    ])
      expect(await outcome(sql), sql).toMatch(FUNCTION_REFUSED);
    // Not a SELECT at all: refused before any of this.
    expect(await outcome(`pragma storage_info('console_users')`)).toMatch(/only SELECT and EXPLAIN/);
  });

  it('streams nothing of a refused statement: the refusal comes before the first chunk', async () => {
    let chunks = 0;
    await expect(streamQuery(conn, 'select * from innocent', limits, () => void chunks++)).rejects.toThrow(CONSOLE_REFUSED);
    expect(chunks).toBe(0);
  });

  it("still answers the analysts' tables (alerts, alert_acks), the catalog's names and a CTE or alias that only looks alike", async () => {
    expect((await readQuery(conn, 'select id, status from alerts', limits)).rows).toEqual([['A1', 'open']]);
    expect((await readQuery(conn, 'select a.id, k.outcome from alerts a join alert_acks k on k.alert_id = a.id', limits)).rows).toEqual([['A1', 'confirmed']]);
    expect((await readQuery(conn, 'explain select * from alert_acks', limits)).columns).toContain('explain_key');
    const names = await readQuery(conn, `select table_name from duckdb_tables() where table_name like 'console%' order by 1`, limits);
    expect(names.rows).toEqual([['console_audit'], ['console_sessions'], ['console_users']]);
    expect((await readQuery(conn, `select count(*) from duckdb_columns() where table_name = 'console_users'`, limits)).rows).toEqual([['10']]);
    expect((await readQuery(conn, `select id as console_users from alerts as console_sessions`, limits)).rows).toEqual([['A1']]);
    expect((await readQuery(conn, `select 'console_users' as t, count(*) from alerts`, limits)).rows).toEqual([['console_users', '1']]);
  });
});

describe('a snapshot of a warehouse whose console tables hold rows', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edumon-console-snapshot-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('leaves the console tables out (no file, not in load.sql or the manifest) and keeps alert_acks', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    try {
      await migrate(conn);
      await conn.run(`insert into console_users values ('wang', '王', 'admin', [], '${HASH}', false, 0, null, now(), now())`);
      await conn.run(`insert into console_sessions values ('${SESSION}', 'wang', 'csrf-SECRET', now(), now(), null)`);
      await conn.run(`insert into console_audit values (now(), 'wang', 'login', 'wang', 'ok', null, null)`);
      await conn.run(`insert into alert_acks values ('A1', 1, now(), 'wang', 'confirmed', null)`);
      const { path, manifest } = await exportSnapshot(conn, dir, { keep: 1 });
      const files = readdirSync(path);
      expect(files.filter((f) => f.startsWith('console'))).toEqual([]);
      expect(files).toContain('alert_acks.parquet');
      expect(manifest.files.find((f) => f.name === 'alert_acks')?.rows).toBe(1);
      for (const f of ['load.sql', 'manifest.json']) expect(readFileSync(join(path, f), 'utf8'), f).not.toMatch(/console_|SECRET/);
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });
});

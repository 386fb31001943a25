import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockDown } from '../../core/lockDown.ts';
import { type QueryLimits, readQuery, shanghaiTime } from '../../service/query.ts';

describe('shanghaiTime', () => {
  it("renders a UTC TIMESTAMPTZ in Shanghai time: '2025-10-10 16:30:00+00' -> '2025-10-11 00:30:00+08:00'", () => {
    expect(shanghaiTime('2025-10-10 16:30:00+00')).toBe('2025-10-11 00:30:00+08:00');
  });
  it('keeps fractional seconds and crosses a year boundary', () => {
    expect(shanghaiTime('2025-12-31 16:00:00.123456+00')).toBe('2026-01-01 00:00:00.123456+08:00');
  });
  it('shifts within the day', () => {
    expect(shanghaiTime('2025-07-10 01:00:00+00')).toBe('2025-07-10 09:00:00+08:00');
  });
  it('reads whatever zone the client rendered in (the host TZ): +09 Tokyo, -04 New York, +05:30', () => {
    expect(shanghaiTime('2025-07-10 10:00:00+09')).toBe('2025-07-10 09:00:00+08:00');
    expect(shanghaiTime('2025-07-09 21:00:00-04')).toBe('2025-07-10 09:00:00+08:00');
    expect(shanghaiTime('2025-07-10 06:30:00+05:30')).toBe('2025-07-10 09:00:00+08:00');
    expect(shanghaiTime('2025-10-10 16:30:00+08')).toBe('2025-10-10 16:30:00+08:00');
  });
  it('leaves other values alone', () => {
    for (const v of ['2025-10-10', '2025-10-10 16:30:00', 'infinity', 'text', 5, null, undefined]) expect(shanghaiTime(v)).toBe(v);
  });
});

describe('readQuery on a locked-down in-memory instance', () => {
  let instance: DuckDBInstance;
  let conn: DuckDBConnection;
  const limits = { maxRows: 1000, timeoutMs: 1500 };
  const refusal = (sql: string, l: QueryLimits = limits) =>
    readQuery(conn, sql, l).then(
      () => 'answered',
      (e: Error) => e.message,
    );

  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:');
    conn = await instance.connect();
    await conn.run('create table t as select range as a from range(10)');
    await lockDown(conn, { memoryLimit: '64MB', noSpill: true });
  });
  afterAll(() => {
    conn.closeSync();
    instance.closeSync();
  });

  it('answers a SELECT and an EXPLAIN of one', async () => {
    expect((await readQuery(conn, 'select sum(a) as s from t', limits)).rows).toEqual([['45']]);
    expect((await readQuery(conn, 'explain select * from t', limits)).columns).toContain('explain_key');
  });

  it('refuses file readers and instance-changing functions by name, in any case and any depth', async () => {
    for (const sql of [
      `SELECT * FROM Read_Text('/etc/hostname')`,
      `select (select count(*) from glob('/etc/*'))`,
      `with c as (select * from checkpoint()) select * from c`,
      `explain analyze select * from enable_logging(storage='file', storage_path='logs')`,
      `select * from query('select 1')`,
    ])
      expect(await refusal(sql), sql).toMatch(/may not be called here/);
  });

  it("refuses a table named like a file ('data.csv', '/etc/passwd')", async () => {
    expect(await refusal(`select * from 'data.csv'`)).toMatch(/names a file/);
    expect(await refusal(`select * from '/etc/passwd'`)).toMatch(/names a file/);
  });

  it('refuses every other statement, and several at once, before binding them', async () => {
    expect(await refusal(`copy t to 'out.csv'`)).toMatch(/only SELECT and EXPLAIN/);
    expect(await refusal(`set lock_configuration = false`)).toMatch(/only SELECT and EXPLAIN/);
    expect(await refusal(`explain analyze copy t to 'out.csv'`)).toMatch(/EXPLAIN is allowed only for a SELECT/);
    expect(await refusal(`select 1; select 2`)).toMatch(/one statement at a time \(got 2\)/);
  });

  it('stops a query at its time limit, or when its signal aborts, saying why', async () => {
    const started = Date.now();
    expect(await refusal('select count(*) from range(1e12::bigint)')).toMatch(/stopped: it ran past the time limit of 1500 ms/);
    expect(Date.now() - started).toBeLessThan(5000);
    const ac = new AbortController();
    setTimeout(() => ac.abort('the client went away'), 200);
    expect(await refusal('select count(*) from range(1e12::bigint)', { ...limits, timeoutMs: 60_000, signal: ac.signal })).toMatch(
      /stopped: the client went away/,
    );
    // The connection is usable afterwards.
    expect((await readQuery(conn, 'select 1 as one', limits)).rows).toEqual([[1]]);
  });

  it('refuses a result over the row or byte limit', async () => {
    expect(await refusal('select * from range(5000)')).toMatch(/more than 1000 rows/);
    expect(await refusal(`select repeat('x', 100000) from range(500)`, { ...limits, maxResultBytes: 1_000_000 })).toMatch(/larger than/);
  });
});

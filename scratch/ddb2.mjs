import { DuckDBInstance, DuckDBTimestampTZValue } from '@duckdb/node-api';
const i = await DuckDBInstance.create(':memory:');
const c = await i.connect();
console.log((await c.runAndReadAll(`select '2025-07-02T09:13:00+08:00'::timestamptz a, current_setting('TimeZone') tz, (select count(*) from duckdb_extensions() where extension_name='icu' and loaded) icu`)).getRowObjectsJson());
await c.run(`create table t (ts timestamptz)`);
const a = await c.createAppender('t');
a.appendTimestampTZ(new DuckDBTimestampTZValue(BigInt(Date.parse('2025-07-02T09:13:00+08:00')) * 1000n)); a.endRow(); a.closeSync();
await c.run(`set TimeZone='Asia/Shanghai'`);
console.log((await c.runAndReadAll(`select ts, ts::varchar v, strftime(timezone('Asia/Shanghai', ts), '%Y-%m-%d') d from t`)).getRowObjectsJson());

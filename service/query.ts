/**
 * The analyst read path: one SELECT (or EXPLAIN) statement, run inside a READ ONLY transaction,
 * so a query can never change the warehouse, whether it runs in the service or on a snapshot.
 * This is the second wall: the first is DuckDB's sandbox on the instance (core/lockDown.ts), which
 * stops any file but the warehouse from being named. Here the statement type is checked, table
 * functions that change the instance (checkpoint, logging, profiling) are refused by name, the
 * console's own tables (domain/consoleTables.ts) are refused both as named in the statement and as
 * read by its bound plan, and every query is bounded in time, rows and result bytes.
 */
import type { DuckDBConnection, DuckDBPreparedStatement } from '@duckdb/node-api';
import { EdumonError, messageOf, UsageError } from '../core/errors.ts';
import { duckdb } from '../core/lazyRequire.ts';
import { shanghaiTime } from '../core/shanghai.ts';
import { CONSOLE_TABLES } from '../domain/consoleTables.ts';

export interface QueryResult {
  columns: string[];
  /** Each column's DuckDB type (`VARCHAR`, `BIGINT`, `DECIMAL(18,2)`...), when the result came from DuckDB: what tells a number from text in CSV. */
  columnTypes?: string[];
  rows: unknown[][];
}

/** What one analyst query may take. */
export interface QueryLimits {
  maxRows: number;
  timeoutMs: number;
  /** Most bytes of result (as JSON text); a result past it is refused before it can exhaust the process. Default 64 MiB. */
  maxResultBytes?: number;
  /** Aborting interrupts the query (client gone, service stopping, the writer needing the memory); the reason is its message. */
  signal?: AbortSignal;
}

/**
 * Functions a SELECT can call that change the instance or the files under it (checkpoint() rewrites
 * the warehouse; enable_logging() points every later statement, the writer's included, at a log
 * folder), run or plan SQL given as text, which this check cannot see into, read files (the
 * sandbox lets them read the warehouse's own file: read_blob of it returns its every byte), or
 * reveal stored values of a table named as text, which neither wall sees as a table read.
 */
const REFUSED_FUNCTIONS = new Set([
  'read_text',
  'read_blob',
  'read_csv',
  'read_csv_auto',
  'read_json',
  'read_json_auto',
  'read_json_objects',
  'read_json_objects_auto',
  'read_ndjson',
  'read_ndjson_auto',
  'read_ndjson_objects',
  'read_parquet',
  'parquet_scan',
  'parquet_metadata',
  'parquet_file_metadata',
  'parquet_full_metadata',
  'parquet_kv_metadata',
  'parquet_schema',
  'parquet_bloom_probe',
  'read_duckdb',
  'glob',
  'sniff_csv',
  'duckdb_secrets',
  'which_secret',
  'checkpoint',
  'force_checkpoint',
  'enable_logging',
  'disable_logging',
  'truncate_duckdb_logs',
  'enable_profiling',
  'disable_profiling',
  'enable_peg_parser',
  'disable_peg_parser',
  'check_peg_parser',
  'query',
  'query_table',
  'json_execute_serialized_sql',
  // Binds SQL given as text (a file reader's bind reads the file) and is not checked here.
  'json_serialize_plan',
  // Every column's min and max per row group of a table named as text (a password hash's prefix).
  'pragma_storage_info',
  'storage_info',
  // Rows sampled from a table named as text.
  'duckdb_table_sample',
  // The instance's log, when logging is on: every connection's statements, the console's included.
  'duckdb_logs',
  'duckdb_logs_parsed',
  'duckdb_log_contexts',
  'setseed',
  'nextval',
]);

const DEFAULT_MAX_RESULT_BYTES = 64 * 1024 * 1024;

const CONSOLE = new Set(CONSOLE_TABLES);

/** The refusal of a statement that reads `table`, one of the console's tables. */
const consoleTableRefused = (table: string) =>
  new UsageError(
    `query: ${table} 是控制台自己的表（用户、口令散列、会话、审计），不可查询 / ${table} is the console's own table (its users, password hashes, sessions and audit trail); analysts' SQL cannot read it`,
  );

/** The refusal of a statement that calls REFUSED_FUNCTIONS `names`. */
const functionsRefused = (names: string[]) =>
  new UsageError(
    `query: ${names.join('(), ')}() may not be called here: it reads files, reveals a table's stored values or changes the warehouse or the database instance`,
  );

/** Runs one read-only statement within `limits`; anything else is refused with a reason. */
export async function readQuery(conn: DuckDBConnection, sql: string, limits: QueryLimits): Promise<QueryResult> {
  const rows: unknown[][] = [];
  const { columns, columnTypes } = await streamQuery(conn, sql, limits, (_columns, chunk) => {
    for (const row of chunk) rows.push(row);
  });
  return { columns, columnTypes, rows };
}

/**
 * Runs one read-only statement within `limits`, handing its rows to `sink` chunk by chunk as DuckDB
 * produces them (TIMESTAMPTZ as Asia/Shanghai text, as readQuery answers), and waiting for each
 * call (a slow client holds the query, never memory). Refusals come before the first call; a
 * limit passed or a stop after it rejects, with the rows already handed over: a caller that
 * streamed them must tell its reader the answer is incomplete. Resolves to the columns, their
 * DuckDB types (as `sink` gets them too) and the row count.
 */
export async function streamQuery(
  conn: DuckDBConnection,
  sql: string,
  limits: QueryLimits,
  sink: (columns: string[], rows: unknown[][], columnTypes: string[]) => void | Promise<void>,
): Promise<{ columns: string[]; columnTypes: string[]; rowCount: number }> {
  const maxBytes = maxResultBytesOf(limits);
  const { prepared } = await checkQuery(conn, sql);
  return withinLimits(conn, limits, async (guard) => {
    const result = await prepared.stream();
    const columns = result.columnNames();
    const columnTypes = result.columnTypes().map(String);
    const tzColumns = result.columnTypes().flatMap((t, i) => (t.typeId === duckdb().DuckDBTypeId.TIMESTAMP_TZ ? [i] : []));
    let rowCount = 0;
    let bytes = 0;
    for await (const chunk of result.yieldRowsJson()) {
      const rows = chunk as unknown[][];
      for (const row of rows) {
        for (const i of tzColumns) row[i] = shanghaiTime(row[i]);
        bytes += JSON.stringify(row).length;
      }
      rowCount += rows.length;
      if (rowCount > limits.maxRows) throw new UsageError(`query: more than ${limits.maxRows} rows; add a LIMIT or aggregate (EDUMON_QUERY_MAX_ROWS)`);
      if (bytes > maxBytes) throw tooLarge(maxBytes);
      guard.check();
      await guard.wait(sink(columns, rows, columnTypes));
    }
    guard.check();
    return { columns, columnTypes, rowCount };
  });
}

/** The most bytes of result `limits` allow: maxResultBytes, else 64 MiB. */
export const maxResultBytesOf = (limits: QueryLimits) => limits.maxResultBytes ?? DEFAULT_MAX_RESULT_BYTES;

/** The refusal of a result over `maxBytes`. */
export const tooLarge = (maxBytes: number) =>
  new UsageError(
    `query: the result is larger than ${Math.round(maxBytes / 1048576)} MiB; select fewer or shorter columns, add a LIMIT or aggregate (EDUMON_QUERY_MAX_RESULT_BYTES)`,
  );

/**
 * Checks `sql` as the read path must before anything runs: DuckDB's parser sees one SELECT (or an
 * EXPLAIN of one), no file or console table named as a table, no refused function, the bound
 * statement is a SELECT or EXPLAIN, and the SELECT's bound plan reads no console table and calls
 * no refused table function. Raises a UsageError saying why otherwise. `explain` tells which it is.
 */
export async function checkQuery(conn: DuckDBConnection, sql: string): Promise<{ prepared: DuckDBPreparedStatement; explain: boolean }> {
  // First wall of this file: DuckDB's parser alone (nothing bound, so no file named yet) must see one SELECT.
  const explained = explainPrefix(sql);
  const select = explained === null ? sql : sql.slice(explained.length);
  const tree = await parsedSelect(conn, select, explained !== null);
  const file = fileNamedAsTable(tree);
  if (file !== null) throw new UsageError(`query: '${file}' names a file; files cannot be read here, only the warehouse's tables and views`);
  const refused = refusedFunctions(tree);
  if (refused.length) throw functionsRefused(refused);
  const consoleTable = consoleTableNamed(tree);
  if (consoleTable !== null) throw consoleTableRefused(consoleTable);
  // Second wall: the bound statement's type.
  let prepared: DuckDBPreparedStatement;
  try {
    prepared = await conn.prepare(sql);
  } catch (err) {
    throw new UsageError(`query: ${messageOf(err)}`);
  }
  const { StatementType } = duckdb();
  if (prepared.statementType !== StatementType.SELECT && prepared.statementType !== StatementType.EXPLAIN) {
    throw new UsageError(
      `query: only SELECT and EXPLAIN statements are allowed (got ${StatementType[prepared.statementType]}); the warehouse is read-only here`,
    );
  }
  const explain = prepared.statementType === StatementType.EXPLAIN;
  if (explain && !(await explainsSelect(conn, select))) {
    throw new UsageError('query: EXPLAIN is allowed only for a SELECT statement; the warehouse is read-only here');
  }
  // Third wall: what the bound SELECT reads, views and macros expanded.
  await checkPlan(conn, select);
  return { prepared, explain };
}

/** What work under withinLimits uses to notice a stop. */
export interface StopGuard {
  /** Raises the stop's UsageError if the query was stopped (time limit, abort). */
  check(): void;
  /** `work`, or the stop's UsageError as soon as the query is stopped while it waits (a client that reads nothing). */
  wait<T>(work: T | Promise<T>): Promise<T>;
}

/**
 * Runs `work` inside a READ ONLY transaction on `conn`, interrupting it past `limits.timeoutMs` or
 * when `limits.signal` aborts; a stop fails with `query: stopped: <why>`, any other DuckDB error
 * with its first line, both as UsageError. Rolls back whatever happens.
 */
export async function withinLimits<T>(conn: DuckDBConnection, limits: QueryLimits, work: (guard: StopGuard) => Promise<T>): Promise<T> {
  const { timeoutMs, signal } = limits;
  if (signal?.aborted) throw new UsageError(`query: stopped: ${String(signal.reason)}`);
  let stoppedBecause: string | undefined;
  let onStop = () => {};
  const stopped = new Promise<void>((resolve) => {
    onStop = resolve;
  });
  const stop = (why: string) => {
    stoppedBecause ??= why;
    conn.interrupt();
    onStop();
  };
  const stopError = () => new UsageError(`query: stopped: ${stoppedBecause}`);
  const guard: StopGuard = {
    check() {
      if (stoppedBecause) throw stopError();
    },
    async wait(w) {
      const p = Promise.resolve(w);
      // Left behind when the stop wins: its later failure is expected, never unhandled.
      p.catch(() => undefined);
      await Promise.race([p, stopped]);
      guard.check();
      return p;
    },
  };
  const timer = setTimeout(() => stop(`it ran past the time limit of ${timeoutMs} ms (EDUMON_QUERY_TIMEOUT_MS)`), timeoutMs);
  const onAbort = () => stop(String(signal?.reason ?? 'aborted'));
  signal?.addEventListener('abort', onAbort, { once: true });
  await conn.run('begin transaction read only');
  try {
    return await work(guard);
  } catch (err) {
    if (err instanceof EdumonError) throw err;
    if (stoppedBecause) throw stopError();
    throw new UsageError(`query: ${messageOf(err).split('\n', 1)[0]}`);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    await conn.run('rollback').catch(() => undefined);
  }
}

/**
 * DuckDB's parse tree of the one SELECT in `select` (json_serialize_sql parses, never binds or runs);
 * anything else (another statement type, several statements, a syntax error) is refused here.
 */
async function parsedSelect(conn: DuckDBConnection, select: string, underExplain: boolean): Promise<unknown> {
  let tree: { error?: boolean; error_type?: string; error_message?: string; statements?: unknown[] };
  try {
    const reader = await conn.runAndReadAll('select json_serialize_sql($1::varchar)', [select]);
    tree = JSON.parse(String(reader.getRowsJson()[0]?.[0])) as typeof tree;
  } catch (err) {
    throw new UsageError(`query: cannot check the statement: ${messageOf(err)}`);
  }
  if (tree.error && tree.error_type === 'parser') throw new UsageError(`query: ${tree.error_message ?? 'syntax error'}`);
  if (tree.error || !Array.isArray(tree.statements)) {
    throw new UsageError(
      underExplain
        ? 'query: EXPLAIN is allowed only for a SELECT statement; the warehouse is read-only here'
        : 'query: only SELECT and EXPLAIN statements are allowed, one at a time; the warehouse is read-only here',
    );
  }
  if (tree.statements.length !== 1) {
    throw new UsageError(`query: give one statement at a time (got ${tree.statements.length})`);
  }
  return tree;
}

/** The first BASE_TABLE name in a parse tree (subqueries, CTEs, FROM, under EXPLAIN) that `matches`, or null. */
function baseTableNamed(tree: unknown, matches: (name: string) => boolean): string | null {
  let found: string | null = null;
  const walk = (node: unknown): void => {
    if (found !== null || typeof node !== 'object' || node === null) return;
    if (Array.isArray(node)) {
      node.forEach(walk);
      return;
    }
    const { type, table_name: name } = node as { type?: unknown; table_name?: unknown };
    if (type === 'BASE_TABLE' && typeof name === 'string' && matches(name)) found = name;
    for (const v of Object.values(node)) walk(v);
  };
  walk(tree);
  return found;
}

/**
 * A table name with a dot, slash, backslash or colon in a parse tree: DuckDB reads such a name as
 * a file (a replacement scan, `from 'data.csv'`); the warehouse's tables and views have none.
 */
const fileNamedAsTable = (tree: unknown) => baseTableNamed(tree, (name) => /[./\\:]/.test(name));

/** Names of REFUSED_FUNCTIONS called anywhere in a parse tree (subqueries, CTEs, FROM, under EXPLAIN). */
function refusedFunctions(tree: unknown): string[] {
  const found = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(walk);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const name = (node as { function_name?: unknown }).function_name;
    if (typeof name === 'string' && REFUSED_FUNCTIONS.has(name.toLowerCase())) found.add(name.toLowerCase());
    for (const v of Object.values(node)) walk(v);
  };
  walk(tree);
  return [...found];
}

/**
 * The first console table a parse tree names as a table, lower-cased, or null: whatever catalog or
 * schema qualifies it and however it is quoted or cased (DuckDB's names are case-insensitive), in
 * FROM, a subquery, a CTE, a join, PIVOT, `TABLE t`, DESCRIBE or SUMMARIZE. A CTE of that name is
 * refused too: nothing an analyst needs.
 */
function consoleTableNamed(tree: unknown): string | null {
  return baseTableNamed(tree, (name) => CONSOLE.has(name.toLowerCase()))?.toLowerCase() ?? null;
}

/**
 * Refuses `select` if its bound plan reads a console table or calls a refused table function:
 * what the parse tree cannot show (a view or a table macro over one, a table named as text).
 * The plan is json_serialize_plan's, bound and not optimised: an optimised plan drops a scan its
 * statistics prove empty (`where failed_logins > 100` becomes EMPTY_RESULT), which would make
 * refused-or-empty an oracle on the console's stored min and max. Fails closed: a plan that cannot
 * be serialised is refused.
 */
async function checkPlan(conn: DuckDBConnection, select: string): Promise<void> {
  let plan: { error?: boolean; error_message?: string; plans?: unknown[] };
  try {
    const reader = await conn.runAndReadAll('select json_serialize_plan($1::varchar, skip_null := true, skip_empty := true, skip_default := true)', [select]);
    plan = JSON.parse(String(reader.getRowsJson()[0]?.[0])) as typeof plan;
  } catch (err) {
    throw new UsageError(`query: cannot check the statement's plan: ${messageOf(err)}`);
  }
  if (plan.error || !Array.isArray(plan.plans)) throw new UsageError(`query: cannot check the statement's plan: ${plan.error_message ?? 'no plan'}`);
  let table: string | null = null;
  const functions = new Set<string>();
  const walk = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return;
    if (Array.isArray(node)) {
      node.forEach(walk);
      return;
    }
    // A table scan's bind data names its table ({catalog, schema, table}); a table function's get names the function.
    const { type, name, table: scanned } = node as { type?: unknown; name?: unknown; table?: unknown };
    if (typeof scanned === 'string' && CONSOLE.has(scanned.toLowerCase())) table ??= scanned.toLowerCase();
    if (type === 'LOGICAL_GET' && typeof name === 'string' && REFUSED_FUNCTIONS.has(name.toLowerCase())) functions.add(name.toLowerCase());
    for (const v of Object.values(node)) walk(v);
  };
  walk(plan.plans);
  if (table !== null) throw consoleTableRefused(table);
  if (functions.size) throw functionsRefused([...functions]);
}

/** The `EXPLAIN [(options)] [ANALYZE]` prefix of a statement (comments included), or null. */
function explainPrefix(sql: string): string | null {
  const m = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*explain\b\s*(?:\((?:[^()'"]|'[^']*'|"[^"]*")*\)\s*)?(?:analy[sz]e\b)?/i.exec(sql);
  return m ? m[0] : null;
}

/**
 * EXPLAIN ANALYZE runs the statement it explains, and a read-only transaction does not stop
 * `COPY ... TO` from writing a file, so an EXPLAIN must explain a SELECT. Fails closed: if the
 * explained statement cannot be prepared, false.
 */
async function explainsSelect(conn: DuckDBConnection, inner: string): Promise<boolean> {
  try {
    return (await conn.prepare(inner)).statementType === duckdb().StatementType.SELECT;
  } catch {
    return false;
  }
}

/** Kept here for its callers; the one implementation is core/shanghai.ts (any client zone, +08:00). */
export { shanghaiTime };

/**
 * A hostile analyst's SQL on every query path: `edumon query` on a stopped warehouse, and, with
 * `edumon run` bound to a non-loopback address with a token of its own, `edumon query` through it
 * and POST /query straight to it with the token (as one JSON answer, and streamed as NDJSON, CSV
 * and Parquet). The console's own tables (users with password hashes, sessions, audit) hold rows
 * with secrets of their own: no path reads them, and a snapshot exported through the service holds
 * none of them.
 * Every statement is refused or stopped with a clear message; no file under the test's folder
 * (the warehouse's folder, a HOME override and the working directory) is created or changed; and
 * the service keeps answering, ingesting and sweeping rules afterwards. Then the HTTP layer: a
 * result too large, a never-ending query (time limit, client gone), SIGTERM mid-query, and
 * request bodies of the wrong shape. Real processes, a real broker and real DuckDB files.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventTables } from '../../domain/eventTables.ts';
import { type ServiceInfo, serviceFileOf, serviceUrl } from '../../service/client.ts';
import { validEvents } from '../fixtures/events.ts';
import { csvLines, type Running, spawnEdumon, waitFor } from '../helpers/cli.ts';
import { coveredCalendar } from '../helpers/coveredCalendar.ts';
import { testEnv } from '../helpers/testEnv.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'edumon.mjs');
const TIMEOUT_MS = 8000;

const t = testEnv('hostile', {
  // No key in the environment: the service keeps one beside the warehouse, as in dev.
  EDUMON_PSEUDONYM_KEY: '',
  EDUMON_QUERY_TIMEOUT_MS: String(TIMEOUT_MS),
  EDUMON_QUERY_MEMORY_LIMIT: '128MB',
  // 8 MiB, not the default 64: the too-large answers below are refused after an eighth of the work.
  EDUMON_QUERY_MAX_RESULT_BYTES: String(8 * 1024 * 1024),
});
const home = join(t.dir, 'home');
const cwd = join(t.dir, 'cwd');
// A holiday calendar covering this year and the next: otherwise, within 60 days of an uncovered
// year, each service opens DQ-CALENDAR-STALE at start, a write racing the no-file-changes checks.
const configFile = join(t.dir, 'config.json');
writeFileSync(configFile, JSON.stringify({ notify: { calendarOverrides: coveredCalendar() } }));
const env = { ...t.env, HOME: home, EDUMON_CONFIG: configFile };
const warehouse = t.config.warehouse;
const keyFile = `${warehouse}.pseudonym-key`;
const serviceFile = serviceFileOf(warehouse);
const TABLES = eventTables;
const ALL_EVENTS = `select count(*) as n from (${TABLES.map((tb) => `select event_id from ${tb}`).join(' union all ')})`;
/** A console user's password hash and a session's id hash, written into the warehouse before the service starts: no answer, message or snapshot may hold them. */
const CONSOLE_SECRETS = ['scrypt$16384$8$1$aG9zdGlsZQ$HOSTILE-HASH-0123456789', 'HOSTILE-SESSION-0123456789abcdef'];

/** Writes a console user, a session and an audit entry into the stopped warehouse (no console writes them yet). */
async function seedConsoleTables(): Promise<void> {
  const instance = await DuckDBInstance.create(warehouse);
  const conn = await instance.connect();
  try {
    await conn.run(`insert into console_users values ('wang', '王', 'admin', [], $1, false, 0, null, now(), now())`, [CONSOLE_SECRETS[0]!]);
    await conn.run(`insert into console_sessions values ($1, 'wang', 'csrf', now(), now(), null)`, [CONSOLE_SECRETS[1]!]);
    await conn.run(`insert into console_audit values (now(), 'wang', 'login', 'wang', 'ok', null, null)`);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** Runs the real CLI in `cwd` (relative paths in hostile SQL land there) with HOME overridden. */
function edumon(args: string[], runEnv: Record<string, string> = env): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...runEnv }, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/**
 * Every file and folder under `dir` with its size and mtime: equal snapshots mean nothing was
 * touched. DuckDB's own spill folder (`<warehouse>.tmp`) is left out: the service's instance may
 * spill there (its writer must be able to; core/lockDown.ts), a query over its memory limit
 * included, and no statement can name it.
 */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const spill = `${warehouse}.tmp`;
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (p === spill) continue;
      const s = statSync(p);
      out[p] = s.isDirectory() ? 'dir' : `${s.size} bytes, mtime ${s.mtimeMs}`;
      if (s.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

const NOT_SELECT = /only SELECT and EXPLAIN statements are allowed/;
const REFUSED_FN = /may not be called here/;
const FILE_AS_TABLE = /names a file; files cannot be read here/;
const CONSOLE_TABLE = /console_(users|sessions) 是控制台自己的表.* is the console's own table/;

/** The hostile statements, each with what its refusal (or stop) must say. */
function hostile(): Array<{ sql: string; why: RegExp; parquet?: 'answered' | 'only' }> {
  const svc = serviceFile;
  return [
    // File readers, the pseudonym key and the service token first; the warehouse's own bytes too.
    { sql: `select content from read_text('${keyFile}')`, why: REFUSED_FN },
    { sql: `SELECT content FROM Read_Text('${keyFile}')`, why: REFUSED_FN },
    { sql: `select content from read_blob('${svc}')`, why: REFUSED_FN },
    { sql: `select * from read_json_auto('${svc}')`, why: REFUSED_FN },
    { sql: `select * from '${keyFile}'`, why: FILE_AS_TABLE },
    { sql: `select * from '${svc}'`, why: FILE_AS_TABLE },
    { sql: `select * from 'data.csv'`, why: FILE_AS_TABLE },
    { sql: `select * from '${warehouse}'`, why: FILE_AS_TABLE },
    { sql: `select size from read_blob('${warehouse}')`, why: REFUSED_FN },
    { sql: `select size from read_blob('${warehouse}.wal')`, why: REFUSED_FN },
    { sql: `select * from read_csv('/etc/passwd')`, why: REFUSED_FN },
    { sql: `select * from glob('/etc/*')`, why: REFUSED_FN },
    { sql: `select * from sniff_csv('/etc/passwd')`, why: REFUSED_FN },
    { sql: `select * from parquet_metadata('${warehouse}')`, why: REFUSED_FN },
    { sql: `select * from read_duckdb('${warehouse}')`, why: REFUSED_FN },
    { sql: `select * from read_csv('http://127.0.0.1:9/x.csv')`, why: REFUSED_FN },
    { sql: `select (select content from read_text('x/../../home/.duckdb'))`, why: REFUSED_FN },
    // The console's own tables: password hashes, session ids, the audit trail.
    { sql: `select * from console_users`, why: CONSOLE_TABLE },
    { sql: `select id_hash from (from "MAIN"."CONSOLE_SESSIONS") union all select id from alerts`, why: CONSOLE_TABLE },
    // Table functions that write or change the instance.
    { sql: `select * from enable_logging(storage='file', storage_path='x/logs')`, why: REFUSED_FN },
    { sql: `select * from checkpoint()`, why: REFUSED_FN },
    { sql: `select * from force_checkpoint()`, why: REFUSED_FN },
    { sql: `select * from truncate_duckdb_logs()`, why: REFUSED_FN },
    { sql: `with c as (select * from checkpoint()) select * from c`, why: REFUSED_FN },
    { sql: `select * from range(1) r, lateral (select * from force_checkpoint())`, why: REFUSED_FN },
    { sql: `select * from query('select * from checkpoint()')`, why: REFUSED_FN },
    { sql: `select setseed(0.5)`, why: REFUSED_FN },
    // COPY, EXPORT, IMPORT.
    { sql: `copy (select 1) to 'out.csv'`, why: NOT_SELECT },
    { sql: `copy admissions to '${join(t.dir, 'admissions.parquet')}' (format parquet)`, why: NOT_SELECT },
    { sql: `copy admissions from '/etc/passwd'`, why: NOT_SELECT },
    { sql: `export database 'x'`, why: NOT_SELECT },
    { sql: `import database 'x'`, why: NOT_SELECT },
    // ATTACH, DETACH, USE.
    { sql: `attach '${join(t.dir, 'other.duckdb')}' as o`, why: NOT_SELECT },
    { sql: `attach ':memory:' as m`, why: NOT_SELECT },
    { sql: `detach database if exists o`, why: NOT_SELECT },
    { sql: `use system`, why: NOT_SELECT },
    // INSTALL, LOAD.
    { sql: `install httpfs`, why: NOT_SELECT },
    { sql: `force install httpfs`, why: NOT_SELECT },
    { sql: `load httpfs`, why: NOT_SELECT },
    // Secrets.
    { sql: `create secret s (type s3, key_id 'a', secret 'b')`, why: NOT_SELECT },
    { sql: `create persistent secret p (type s3, key_id 'a', secret 'b')`, why: NOT_SELECT },
    { sql: `select * from duckdb_secrets()`, why: REFUSED_FN },
    { sql: `select * from which_secret('s3://b/x', 's3')`, why: REFUSED_FN },
    // SET, RESET, PRAGMA, CALL.
    { sql: `set enable_external_access = true`, why: NOT_SELECT },
    { sql: `reset lock_configuration`, why: NOT_SELECT },
    { sql: `set global memory_limit = '100GB'`, why: NOT_SELECT },
    { sql: `pragma enable_profiling`, why: NOT_SELECT },
    { sql: `call checkpoint()`, why: NOT_SELECT },
    // CREATE, writes, DDL.
    { sql: `create table z (a int)`, why: NOT_SELECT },
    { sql: `create temp table z as select 1`, why: NOT_SELECT },
    { sql: `create macro m() as 1`, why: NOT_SELECT },
    { sql: `insert into rejections select * from rejections`, why: NOT_SELECT },
    { sql: `delete from admissions`, why: NOT_SELECT },
    { sql: `drop table admissions`, why: NOT_SELECT },
    { sql: `begin transaction`, why: NOT_SELECT },
    // CHECKPOINT, VACUUM.
    { sql: `checkpoint`, why: NOT_SELECT },
    { sql: `force checkpoint`, why: NOT_SELECT },
    { sql: `vacuum`, why: NOT_SELECT },
    // EXPLAIN ANALYZE around a write.
    { sql: `explain analyze copy (select 1) to 'e.csv'`, why: /EXPLAIN is allowed only for a SELECT/ },
    { sql: `explain analyze create table y as select 1`, why: /EXPLAIN is allowed only for a SELECT/ },
    { sql: `explain analyze select * from enable_logging(storage='file', storage_path='x/logs')`, why: REFUSED_FN },
    // Several statements in one.
    { sql: `select 1; copy (select 1) to 'm.csv'`, why: /one at a time/ },
    { sql: `select 1; set enable_external_access = true`, why: /one at a time/ },
    { sql: `select 1; select content from read_text('${keyFile}')`, why: /one statement at a time \(got 2\)/ },
    // Resources: one that never ends, one that exhausts memory, one with a huge result.
    { sql: `select count(*) from range(1e12::bigint)`, why: new RegExp(`stopped: it ran past the time limit of ${TIMEOUT_MS} ms`) },
    { sql: `select list(repeat('x', 1000)) from range(10000000)`, why: /Out of Memory/ },
    // Compressible: as Parquet it is a small file, answered (the byte limit bounds the file there).
    { sql: `select repeat('x', 10000) from range(100000)`, why: /result is larger than 8 MiB; .*\(EDUMON_QUERY_MAX_RESULT_BYTES\)/, parquet: 'answered' },
    // Random doubles: incompressible, so Parquet's file (12.8 MB) is over 8 MiB too. The other
    // answers count the same bytes as the case above, which reaches the limit in a tenth of the
    // time: asked only as Parquet, so a busy machine does not hit the time limit first.
    {
      sql: `select ${Array.from({ length: 16 }, (_, i) => `random() as c${i}`).join(', ')} from range(100000)`,
      why: /result is larger than 8 MiB/,
      parquet: 'only',
    },
    { sql: `select * from range(1000000)`, why: /more than 100000 rows/ },
  ];
}

/** Runs every hostile statement meant for the answer's format through `run` (`parquet`: the Parquet stream, which takes the compressible large result and alone gets the Parquet-only ones); expects every one refused as it says, no secret in any message and no file changed. */
async function expectAllRefused(run: (sql: string) => Promise<{ refused: boolean; message: string }>, opts: { parquet?: boolean } = {}): Promise<void> {
  const before = snapshot(t.dir);
  const wrong: string[] = [];
  const secrets = [readFileSync(keyFile, 'utf8').trim(), ...(tokenOrNull() ? [tokenOrNull()!] : []), ...CONSOLE_SECRETS];
  for (const { sql, why } of hostile().filter((h) => (opts.parquet ? h.parquet !== 'answered' : h.parquet !== 'only'))) {
    const { refused, message } = await run(sql);
    if (!refused || !why.test(message)) wrong.push(`${sql}\n  -> ${refused ? 'refused' : 'ANSWERED'}: ${message.slice(0, 300)}`);
    if (secrets.some((s) => message.includes(s))) wrong.push(`${sql}\n  -> leaked a secret`);
  }
  expect(wrong).toEqual([]);
  expect(snapshot(t.dir)).toEqual(before);
}

function tokenOrNull(): string | null {
  try {
    return (JSON.parse(readFileSync(serviceFile, 'utf8')) as ServiceInfo).token;
  } catch {
    return null;
  }
}

/** POSTs to the service's API with its token. */
async function post(
  path: string,
  body: string,
  signal?: AbortSignal,
  file = serviceFile,
): Promise<{ status: number; json: { error?: string; rows?: unknown[][] } }> {
  const info = JSON.parse(readFileSync(file, 'utf8')) as ServiceInfo;
  const res = await fetch(serviceUrl(info, path), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${info.token}` },
    body,
    ...(signal ? { signal } : {}),
  });
  return { status: res.status, json: (await res.json()) as { error?: string; rows?: unknown[][] } };
}

/**
 * POSTs a query for a streamed answer; refused when answered 400, or when the transfer fails
 * after an edumon_error line (a limit passed or a stop mid-stream: the documented signal).
 */
async function postStream(sql: string, format: 'ndjson' | 'csv' | 'parquet'): Promise<{ refused: boolean; message: string }> {
  const info = JSON.parse(readFileSync(serviceFile, 'utf8')) as ServiceInfo;
  const res = await fetch(serviceUrl(info, '/query'), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${info.token}` },
    body: JSON.stringify({ sql, format }),
  });
  if (res.status === 400) return { refused: true, message: ((await res.json()) as { error: string }).error };
  // Only the tail is kept: a refused answer may stream up to its byte limit first.
  let tail = '';
  let failed = false;
  try {
    for await (const chunk of res.body ?? []) tail = (tail + Buffer.from(chunk as Uint8Array).toString('utf8')).slice(-2000);
  } catch {
    failed = true;
  }
  const last = tail.trimEnd().split(/\r?\n/).pop() ?? '';
  return { refused: res.status === 200 && failed && last.includes('edumon_error'), message: `${res.status} ${failed ? 'cut short' : 'complete'}: ${last}` };
}

/** Publishes `n` fresh events with `edumon ingest`, tagged by their event_id prefix. */
async function ingest(prefix: string, n: number, seed: number, runEnv: Record<string, string> = env): Promise<void> {
  const file = join(t.dir, `${prefix}.jsonl`);
  writeFileSync(
    file,
    `${validEvents(n, seed)
      .map((e) => JSON.stringify({ ...e, event_id: `${prefix}-${e.event_id}` }))
      .join('\n')}\n`,
  );
  const r = await edumon(['ingest', file], runEnv);
  expect(r.code, r.stderr).toBe(0);
}

const countOf = async (prefix: string) => {
  const r = await post('/query', JSON.stringify({ sql: `${ALL_EVENTS} where event_id like '${prefix}-%'` }));
  return Number(r.json.rows?.[0]?.[0]);
};

let service: Running;

beforeAll(async () => {
  mkdirSync(home, { recursive: true });
  mkdirSync(cwd, { recursive: true });
  await ingest('first', 24, 3);
  const r = await edumon(['run', '--until-idle']);
  expect(r.code, r.stderr).toBe(0);
  await seedConsoleTables();
});

afterAll(async () => {
  if (service && service.child.exitCode === null && service.child.signalCode === null) {
    service.child.kill('SIGKILL');
    await service.exited;
  }
});

describe('hostile SQL on a stopped warehouse (edumon query opens it read-only)', () => {
  it('refuses or stops every statement with a clear message (exit 2), and no file changes', async () => {
    await expectAllRefused(async (sql) => {
      const r = await edumon(['query', sql]);
      return { refused: r.code === 2 && /^edumon: query: /.test(r.stderr), message: r.stderr + r.stdout };
    });
    const r = await edumon(['query', ALL_EVENTS, '-f', 'csv']);
    expect(csvLines(r.stdout)).toEqual(['n', '24']);
  }, 300_000);
});

describe('hostile SQL while `edumon run` holds the warehouse, bound beyond loopback with a token of its own', () => {
  // One service for every path through it (the CLI, POST /query, the three streams): the sandbox is
  // the same code whatever address the service listens on, so it listens where analysts' machines
  // reach it (EDUMON_SERVICE_HOST, EDUMON_SERVICE_TOKEN), the setting whose token must stay unseen.
  /** An address of this machine other machines could reach, if it has one; else every address (reached over 127.0.0.1). */
  const host =
    Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal)?.address ?? '0.0.0.0';
  const token = 'hostile-analyst-token-0123456789abcdef';
  const boundEnv = { ...env, EDUMON_SERVICE_HOST: host, EDUMON_SERVICE_TOKEN: token };

  beforeAll(async () => {
    service = spawnEdumon(['run'], boundEnv);
    await waitFor(() => service.output().includes('pipeline running'), 60_000, 'the service to start');
  });

  it(`refuses every statement through the CLI (exit 2), no file changes, and the service on ${host} lives on`, async () => {
    await expectAllRefused(async (sql) => {
      const r = await edumon(['query', sql], boundEnv);
      return { refused: r.code === 2 && /^edumon: query: /.test(r.stderr), message: r.stderr + r.stdout };
    });
    expect(service.child.exitCode).toBeNull();
  }, 300_000);

  it(`refuses every statement sent straight to POST /query on ${host} with the token (400), no file changes`, async () => {
    await expectAllRefused(async (sql) => {
      const r = await post('/query', JSON.stringify({ sql }));
      return { refused: r.status === 400, message: r.json.error ?? JSON.stringify(r.json) };
    });
    expect(service.child.exitCode).toBeNull();
  });

  it('exports a snapshot through the service with none of the console tables in it, alert_acks kept', async () => {
    const r = await edumon(['export'], boundEnv);
    expect(r.code, r.stderr).toBe(0);
    const dir = /快照 snapshot: (.+)/.exec(r.stdout)?.[1];
    expect(dir, r.stdout).toBeDefined();
    const files = readdirSync(dir!);
    expect(files).toContain('alert_acks.parquet');
    expect(files.filter((f) => f.startsWith('console'))).toEqual([]);
    for (const f of ['load.sql', 'manifest.json']) expect(readFileSync(join(dir!, f), 'utf8'), f).not.toContain('console_');
    const holding = files.filter((f) => CONSOLE_SECRETS.some((secret) => readFileSync(join(dir!, f), 'latin1').includes(secret)));
    expect(holding).toEqual([]);
  });

  it('answers only with the token (401 without), and never prints it', async () => {
    const info = JSON.parse(readFileSync(serviceFile, 'utf8')) as ServiceInfo;
    const anonymous = await fetch(serviceUrl(info, '/query'), { method: 'POST', body: JSON.stringify({ sql: 'select 42' }) });
    expect(anonymous.status).toBe(401);
    expect((await post('/query', JSON.stringify({ sql: 'select 42' }))).json.rows).toEqual([[42]]);
    expect(service.output()).not.toContain(token);
  });

  it.each(['ndjson', 'csv', 'parquet'] as const)(
    'refuses every statement streamed as %s (400, or a transfer cut short after an edumon_error line), no file changes',
    async (format) => {
      await expectAllRefused((sql) => postStream(sql, format), { parquet: format === 'parquet' });
      expect(service.child.exitCode).toBeNull();
    },
    300_000,
  );

  it('still ingests, answers and sweeps rules with the sandbox on', async () => {
    await ingest('after', 24, 9);
    await waitFor(async () => (await countOf('after')) === 24, 60_000, 'the events published after the hostile queries to be stored');
    const sweep = await post('/rules/run', JSON.stringify({ at: '2025-12-31T23:59:59+08:00', dryRun: false }));
    expect(sweep.status, JSON.stringify(sweep.json)).toBe(200);
    expect((sweep.json as { runs?: unknown[] }).runs?.length).toBeGreaterThan(0);
    const list = await post('/alerts', JSON.stringify({ action: 'list', state: 'open' }));
    expect(list.status, JSON.stringify(list.json)).toBe(200);
  });

  it("survives select repeat('x', 10000) from range(100000): refused as too large, then answers", async () => {
    const big = await post('/query', JSON.stringify({ sql: `select repeat('x', 10000) from range(100000)` }));
    expect(big.status).toBe(400);
    expect(big.json.error).toMatch(/larger than 8 MiB/);
    expect((await post('/query', JSON.stringify({ sql: 'select 42' }))).json.rows).toEqual([[42]]);
    expect(service.child.exitCode).toBeNull();
  });

  it('stops a never-ending query when its client goes away: the next query answers at once', async () => {
    const gone = new AbortController();
    const pending = post('/query', JSON.stringify({ sql: 'select count(*) from range(1e12::bigint)' }), gone.signal).catch((e: Error) => e);
    await new Promise((r) => setTimeout(r, 500));
    gone.abort();
    expect(await pending).toBeInstanceOf(Error);
    const started = Date.now();
    expect((await post('/query', JSON.stringify({ sql: 'select 42' }))).json.rows).toEqual([[42]]);
    // Queries are serialised: had the abandoned one run on, this one would wait out its time limit.
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS / 2);
  });

  it.each([
    ['/query', '{}', /sql/],
    ['/query', '{"sql": 5}', /sql: .*expected string/i],
    ['/query', '{"sql": "select 1", "extra": true}', /extra/],
    ['/query', 'null', /body/],
    ['/query', '[1, 2]', /body/],
    ['/query', 'not json', /not JSON/],
    ['/rules/run', '{}', /at/],
    ['/rules/run', '{"at": 5}', /at: .*expected string/i],
    ['/rules/run', '{"at": "2025-12-31T23:59:59+08:00", "dryRun": "no"}', /dryRun/],
    ['/alerts', '{"action": "explode"}', /action/],
    ['/alerts', '{"action": "ack"}', /id/],
    ['/alerts', '{"action": "silence", "rule": "KG-FACILITY"}', /until/],
  ])('POST %s with %s gets 400 naming the problem', async (path, body, problem) => {
    const r = await post(path, body);
    expect(r.status).toBe(400);
    expect(r.json.error).toMatch(problem);
    expect(r.json.error).not.toMatch(/TypeError|Cannot read|undefined is not/);
  });

  it('answers SIGTERM promptly while a never-ending query runs, exiting 0', async () => {
    const pending = post('/query', JSON.stringify({ sql: 'select count(*) from range(1e12::bigint)' })).catch((e: Error) => e);
    await new Promise((r) => setTimeout(r, 500));
    const started = Date.now();
    service.child.kill('SIGTERM');
    const code = await service.exited;
    expect(code, service.output()).toBe(0);
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS);
    const answer = await pending;
    if (!(answer instanceof Error)) expect(answer.json.error).toMatch(/stopped: the service is stopping/);
  });
});

describe('an ingest write that fails while an analyst query runs', () => {
  // DuckDB's memory limit is per instance, shared by the writer and the queries: a failed write
  // (here an injected I/O error standing for out of memory) interrupts the queries before its retry.
  const w = testEnv('hostile-writer', {
    EDUMON_FAILPOINT_SINK_WRITE: 'after=0,times=1',
    EDUMON_WRITE_RETRY_BACKOFF_MS: '200',
    EDUMON_QUERY_TIMEOUT_MS: '60000',
  });
  const wEnv = { ...w.env, HOME: home };
  const wService = serviceFileOf(w.config.warehouse);
  let proc: Running;

  afterAll(async () => {
    if (proc && proc.child.exitCode === null && proc.child.signalCode === null) {
      proc.child.kill('SIGKILL');
      await proc.exited;
    }
  });

  it('interrupts the query, not ingestion: the query fails saying why, the events are stored', async () => {
    proc = spawnEdumon(['run'], wEnv);
    await waitFor(() => proc.output().includes('pipeline running'), 60_000, 'the service to start');
    const started = Date.now();
    const pending = post('/query', JSON.stringify({ sql: 'select count(*) from range(1e12::bigint)' }), undefined, wService);
    await new Promise((r) => setTimeout(r, 500));
    await ingest('contended', 12, 5, wEnv);
    const answer = await pending;
    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatch(/stopped: an ingest write failed and is retried/);
    expect(Date.now() - started).toBeLessThan(30_000);
    const stored = async () => Number((await post('/query', JSON.stringify({ sql: ALL_EVENTS }), undefined, wService)).json.rows?.[0]?.[0]);
    await waitFor(async () => (await stored()) === 12, 60_000, 'the events to be stored after the retried write');
    expect(proc.output()).toMatch(/warehouse write failed; retrying/);
  });
});

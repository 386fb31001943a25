/**
 * Analysts' tools reach the warehouse over HTTP: `edumon run` bound beyond loopback only with a
 * token of 32+ characters (refused at start otherwise, exit 2), POST /query answers streamed as
 * NDJSON, CSV and Parquet and read back by real readers (JSON.parse, DuckDB's CSV and Parquet
 * readers in a separate in-memory instance), a stream cut short by a limit that the client sees
 * fail, and `edumon query --format parquet --out FILE` through the service and on a stopped
 * warehouse. Real processes, a real broker, real DuckDB files.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, openWarehouse } from '../../core/db.ts';
import { sqlString } from '../../core/lockDown.ts';
import { migrate } from '../../pipeline/migrate.ts';
import { downloadFromService, type ServiceInfo, serviceFileOf } from '../../service/client.ts';
import { csvLines, type Running, runEdumon, spawnEdumon, waitFor } from '../helpers/cli.ts';
import { testEnv } from '../helpers/testEnv.ts';

const TIMEOUT_MS = 3000;
const TOKEN = 'analyst-tools-token-0123456789abcdef';
/** An address of this machine other machines could reach, if it has one; else every address, reached over 127.0.0.1. */
const ADDRESS = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
const HOST = ADDRESS ?? '0.0.0.0';
const REACH = ADDRESS ?? '127.0.0.1';

const t = testEnv('analyst-answers', { EDUMON_QUERY_TIMEOUT_MS: String(TIMEOUT_MS) });
const bound = { ...t.env, EDUMON_SERVICE_HOST: HOST, EDUMON_SERVICE_TOKEN: TOKEN };
const serviceFile = serviceFileOf(t.config.warehouse);
/** A school name with what CSV must quote (a comma, quotes) and Chinese that must survive every format. */
const NAME = '焦作市第一中学, "实验"校区';
const SCHOOLS = `select school_id, name, occurred_at from school_versions order by school_id`;

/** The expected rows of SCHOOLS: 3 schools, their times as the CLI shows them (Asia/Shanghai). */
const EXPECTED = [
  { school_id: '4108210001', name: NAME, occurred_at: '2025-07-01 08:00:00+08:00' },
  { school_id: '4108210002', name: '修武县幼儿园', occurred_at: '2025-06-30 16:00:00+08:00' },
  { school_id: '4108210003', name: '温县实验中学', occurred_at: '2025-07-02 00:30:00+08:00' },
];

async function build(file: string): Promise<void> {
  const instance = await openWarehouse(file);
  const conn = await connect(instance);
  try {
    await migrate(conn);
    const row = (id: string, name: string, at: string) =>
      `('${id}', '${at}', 'test', '${id}', ${sqlString(name)}, 'kindergarten', 'public', '410821', 'open', true, 100, '${at}')`;
    await conn.run(
      `insert into school_versions (event_id, occurred_at, source, school_id, name, level, ownership, region_code, status, licensed, capacity, ingested_at) values
        ${row('4108210001', NAME, '2025-07-01T00:00:00Z')}, ${row('4108210002', '修武县幼儿园', '2025-06-30T08:00:00Z')},
        ${row('4108210003', '温县实验中学', '2025-07-01T16:30:00Z')}`,
    );
    await conn.run('checkpoint');
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** An HTTP answer read to its end (or to its failure), with its trailers. */
interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  trailers: Record<string, string | undefined>;
  /** Set when the transfer failed before its end: the client's only sure sign of an answer cut short. */
  failed?: string;
}

/**
 * POSTs `body` to the service at REACH; `pauseMs` stops reading after the first bytes for that
 * long (a slow client), so the service must wait on it.
 */
function post(path: string, body: unknown, opts: { token?: string | null; pauseMs?: number } = {}): Promise<Answer> {
  const info = JSON.parse(readFileSync(serviceFile, 'utf8')) as ServiceInfo;
  const token = opts.token === undefined ? TOKEN : opts.token;
  return new Promise((resolve, reject) => {
    const req = request(`http://${REACH}:${info.port}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let paused = false;
      const done = (failed?: string) =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks),
          trailers: res.trailers,
          ...(failed ? { failed } : {}),
        });
      res.on('data', (d: Buffer) => {
        chunks.push(d);
        if (opts.pauseMs && !paused) {
          paused = true;
          res.pause();
          setTimeout(() => res.resume(), opts.pauseMs);
        }
      });
      res.on('end', () => done());
      res.on('error', (err) => done(err.message));
      res.on('aborted', () => done('aborted'));
    });
    req.end(JSON.stringify(body));
  });
}

/** Runs SQL in a fresh in-memory DuckDB (in Asia/Shanghai), as an analyst's own tool would read a file. */
async function readBack(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    await conn.run(`set TimeZone = 'Asia/Shanghai'`);
    return (await conn.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** SCHOOLS streamed as `format`: asserts a complete answer (200, its media type, a download, the X-Edumon-Rows trailer). */
async function completeAnswer(format: 'ndjson' | 'csv' | 'parquet', contentType: string): Promise<Answer> {
  const r = await post('/query', { sql: SCHOOLS, format });
  expect(r.status).toBe(200);
  expect(r.headers['content-type']).toBe(contentType);
  expect(r.headers['content-disposition']).toBe(`attachment; filename="edumon-query.${format}"`);
  expect(r.failed).toBeUndefined();
  expect(r.trailers['x-edumon-rows']).toBe('3');
  return r;
}

/** A Parquet file's SCHOOLS rows as an analyst's DuckDB reads them: the instants shown in Asia/Shanghai (+08). */
async function expectSchoolsInParquet(file: string): Promise<void> {
  const rows = await readBack(`select school_id, name, strftime(occurred_at, '%Y-%m-%d %H:%M:%S%z') as occurred_at from read_parquet(${sqlString(file)})`);
  expect(rows).toEqual(EXPECTED.map((e) => ({ ...e, occurred_at: e.occurred_at.replace('+08:00', '+08') })));
}

let service: Running | undefined;

async function stopService(): Promise<void> {
  if (service && service.child.exitCode === null && service.child.signalCode === null) {
    service.child.kill('SIGTERM');
    expect(await service.exited, service.output()).toBe(0);
  }
}

beforeAll(() => build(t.config.warehouse));
afterAll(async () => {
  if (service && service.child.exitCode === null) {
    service.child.kill('SIGKILL');
    await service.exited;
  }
});

describe('edumon run beyond loopback', () => {
  it('refuses to start on 0.0.0.0 without a token, naming EDUMON_SERVICE_HOST and EDUMON_SERVICE_TOKEN (exit 2, nothing listens)', async () => {
    const r = await runEdumon(['run'], { ...t.env, EDUMON_SERVICE_HOST: '0.0.0.0' });
    expect(r.code, r.output).toBe(2);
    expect(r.stderr).toMatch(/EDUMON_SERVICE_HOST: 监听非本机地址 0\.0\.0\.0 时必须设置 EDUMON_SERVICE_TOKEN/);
    expect(r.stderr).toMatch(/not a loopback address, needs EDUMON_SERVICE_TOKEN/);
    expect(r.output).not.toMatch(/pipeline running/);
    expect(existsSync(serviceFile)).toBe(false);
  });

  it('refuses a token shorter than 32 characters without printing it', async () => {
    const short = 'only-twenty-chars-xx';
    const r = await runEdumon(['run'], { ...t.env, EDUMON_SERVICE_HOST: '0.0.0.0', EDUMON_SERVICE_TOKEN: short });
    expect(r.code, r.output).toBe(2);
    expect(r.stderr).toMatch(/EDUMON_SERVICE_TOKEN: 服务令牌至少 32 个字符/);
    expect(r.output).not.toContain(short);
    expect(existsSync(serviceFile)).toBe(false);
  });

  it(`starts on ${HOST} with a 32+ character token: answers with it, 401 without it or with another`, async () => {
    service = spawnEdumon(['run'], bound);
    await waitFor(() => service!.output().includes('pipeline running'), 60_000, 'the service to start');
    expect(service.output()).toContain(`api=${HOST}:`);
    const ok = await post('/query', { sql: 'select 42 as answer' });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body.toString())).toEqual({ columns: ['answer'], columnTypes: ['INTEGER'], rows: [[42]] });
    for (const token of [null, `${TOKEN}x`, 'x'.repeat(TOKEN.length)]) {
      const no = await post('/query', { sql: 'select 42' }, { token });
      expect(no.status).toBe(401);
      expect(no.body.toString()).not.toContain('42');
    }
    // The service file still carries the token for the local CLI, readable by its owner only; no log shows it.
    expect(statSync(serviceFile).mode & 0o777).toBe(0o600);
    expect((JSON.parse(readFileSync(serviceFile, 'utf8')) as ServiceInfo).token).toBe(TOKEN);
    expect(service.output()).not.toContain(TOKEN);
    const cli = await runEdumon(['query', 'select 42 as answer', '-f', 'csv'], bound);
    expect(csvLines(cli.stdout)).toEqual(['answer', '42']);
  });

  it(`GET /healthz and /readyz: from ${HOST} only with the token (from loopback without, see brokerRestart)`, async () => {
    const { port } = JSON.parse(readFileSync(serviceFile, 'utf8')) as ServiceInfo;
    // A machine with no address but loopback reaches the service over 127.0.0.1, where no token is asked.
    for (const path of ['/healthz', '/readyz'].filter(() => ADDRESS)) {
      const refused = await fetch(`http://${REACH}:${port}${path}`);
      expect(refused.status, path).toBe(401);
      expect(await refused.text()).not.toMatch(/ready|broker|uptime/);
    }
    const health = await fetch(`http://${REACH}:${port}/healthz`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', pid: service!.child.pid });
    const ready = await fetch(`http://${REACH}:${port}/readyz`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const body = (await ready.json()) as { ready: boolean; checks: Record<string, { ok: boolean; detail: string }> };
    expect(Object.keys(body.checks)).toEqual(['broker', 'warehouse', 'ingestion', 'mail']);
    expect(ready.status).toBe(body.ready ? 200 : 503);
    // As probes send them: HEAD, and a query string.
    const head = await fetch(`http://${REACH}:${port}/healthz`, { method: 'HEAD', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const busted = await fetch(`http://${REACH}:${port}/readyz?t=1`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect([200, 503]).toContain(busted.status);
  });
});

describe('POST /query streamed, read back by real readers', () => {
  it('ndjson: one JSON object per row, times in +08:00, Chinese intact, complete with its X-Edumon-Rows trailer', async () => {
    const r = await completeAnswer('ndjson', 'application/x-ndjson; charset=utf-8');
    const lines = r.body.toString('utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((l) => JSON.parse(l))).toEqual(EXPECTED);
  });

  it('csv: UTF-8 with a BOM, RFC 4180 (header, CRLF, quoted comma and quotes), as DuckDB reads it back', async () => {
    const r = await completeAnswer('csv', 'text/csv; charset=utf-8; header=present');
    expect([...r.body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = r.body.toString('utf8').slice(1);
    expect(text.split('\r\n')[0]).toBe('school_id,name,occurred_at');
    expect(text).toContain('"焦作市第一中学, ""实验""校区"');
    const file = join(t.dir, 'answer.csv');
    writeFileSync(file, r.body);
    expect(await readBack(`select * from read_csv(${sqlString(file)}, header = true, all_varchar = true)`)).toEqual(EXPECTED);
  });

  it('parquet: sent once complete, read back by read_parquet with the instants and Chinese intact; no file left', async () => {
    const r = await completeAnswer('parquet', 'application/vnd.apache.parquet');
    const file = join(t.dir, 'answer.parquet');
    writeFileSync(file, r.body);
    // Parquet keeps the instant (UTC-adjusted); read in Asia/Shanghai it shows +08.
    await expectSchoolsInParquet(file);
    expect(readdirSync(join(t.dir, 'snapshots'))).toEqual([]);
  });

  it('refuses before streaming (400 JSON): a write, an EXPLAIN as Parquet, an unknown format', async () => {
    for (const format of ['ndjson', 'csv', 'parquet']) {
      const r = await post('/query', { sql: `copy (select 1) to 'x.csv'`, format });
      expect(r.status).toBe(400);
      expect(JSON.parse(r.body.toString()).error).toMatch(/only SELECT and EXPLAIN statements are allowed/);
    }
    const explain = await post('/query', { sql: 'explain select 1', format: 'parquet' });
    expect(JSON.parse(explain.body.toString()).error).toMatch(/EXPLAIN cannot be written as Parquet/);
    const unknown = await post('/query', { sql: 'select 1', format: 'xlsx' });
    expect(unknown.status).toBe(400);
    expect(JSON.parse(unknown.body.toString()).error).toMatch(/format/);
  });

  it('a stream past the row limit ends with an edumon_error line and a failed transfer, never as a whole file', async () => {
    for (const format of ['ndjson', 'csv'] as const) {
      const r = await post('/query', { sql: 'select * from range(1000000)', format });
      expect(r.status).toBe(200);
      expect(r.failed, format).toBeDefined();
      expect(r.trailers['x-edumon-rows']).toBeUndefined();
      const last = r.body.toString('utf8').trimEnd().split(/\r?\n/).pop();
      expect(last).toMatch(/edumon_error.*more than 100000 rows/);
    }
  });

  it('`edumon query --out` names the reason of an answer cut short even when its file is slower than the network', async () => {
    // The file is a FIFO read a chunk every 25 ms: the client's buffers still hold rows, and the
    // error line after them, when the service closes the transfer. Those must not be dropped.
    const fifo = join(t.dir, 'slow-disk.csv');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const reader = createReadStream(fifo);
    reader.on('data', () => {
      reader.pause();
      setTimeout(() => reader.resume(), 25);
    });
    const info = JSON.parse(readFileSync(serviceFile, 'utf8')) as ServiceInfo;
    const sql = `select i, repeat('x', 100) as pad from range(1000000) t(i)`;
    await expect(downloadFromService(info, '/query', { sql, format: 'csv' }, fifo)).rejects.toThrow(/^query: (more than 100000 rows|stopped).*答案不完整/);
    reader.destroy();
  });

  it('a stream stopped by the time limit while its client reads slowly fails the transfer; the service answers on', async () => {
    // About 60 MB of rows: far more than the socket buffers hold while the client does not read.
    const sql = `select i, repeat('x', 600) as pad from range(99000) t(i)`;
    const r = await post('/query', { sql, format: 'ndjson' }, { pauseMs: TIMEOUT_MS * 2 });
    expect(r.status).toBe(200);
    expect(r.failed).toBeDefined();
    expect(r.trailers['x-edumon-rows']).toBeUndefined();
    const lines = r.body.toString('utf8').split('\n');
    expect(lines.length).toBeLessThan(99_000);
    const ok = await post('/query', { sql: 'select 42 as answer', format: 'ndjson' });
    expect(ok.body.toString()).toBe('{"answer":42}\n');
  });
});

describe('edumon query --format parquet --out FILE', () => {
  const check = async (out: string, r: { code: number | null; stdout: string; output: string }) => {
    expect(r.code, r.output).toBe(0);
    const size = statSync(out).size;
    expect(r.stdout.trim()).toBe(`已写入 written: ${out} (3 行 rows, ${size} 字节 bytes)`);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    await expectSchoolsInParquet(out);
    // Nothing but FILE is left beside it (the private work folder is gone).
    expect(readdirSync(join(t.dir, 'out')).filter((n) => n.startsWith('.'))).toEqual([]);
  };

  it('writes the file through the running service', async () => {
    const out = join(t.dir, 'out', 'via-service.parquet');
    mkdirSync(join(t.dir, 'out'), { recursive: true });
    // A statement's final semicolon is its own: the COPY around it still ends where it should.
    await check(out, await runEdumon(['query', `${SCHOOLS};`, '--format', 'parquet', '--out', out], bound));
  });

  it('a query past the row limit through the service leaves no file (exit 2, saying why)', async () => {
    for (const format of ['csv', 'json']) {
      const out = join(t.dir, 'out', `too-many.${format}`);
      const r = await runEdumon(['query', 'select * from range(1000000)', '-f', format, '-o', out], bound);
      expect(r.code, r.output).toBe(2);
      expect(r.stderr).toMatch(/^edumon: query: more than 100000 rows; add a LIMIT.*答案不完整.*the answer is incomplete; no file written/);
      expect(existsSync(out)).toBe(false);
    }
  });

  it('writes the file on a stopped warehouse (opened read-only, sandboxed), and csv with its BOM', async () => {
    await stopService();
    expect(existsSync(serviceFile)).toBe(false);
    const out = join(t.dir, 'out', 'stopped.parquet');
    await check(out, await runEdumon(['query', SCHOOLS, '--format', 'parquet', '--out', out], t.env));
    const csv = join(t.dir, 'out', 'stopped.csv');
    const r = await runEdumon(['query', SCHOOLS, '-f', 'csv', '-o', csv], t.env);
    expect(r.code, r.output).toBe(0);
    expect([...readFileSync(csv).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(await readBack(`select * from read_csv(${sqlString(csv)}, header = true, all_varchar = true)`)).toEqual(EXPECTED);
  });

  it('refuses parquet without --out, and --out with the table format', async () => {
    const a = await runEdumon(['query', 'select 1', '-f', 'parquet'], t.env);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/--format parquet needs --out FILE/);
    const b = await runEdumon(['query', 'select 1', '-o', join(t.dir, 'x.txt')], t.env);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/--out needs --format csv, json or parquet/);
  });
});

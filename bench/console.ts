/**
 * bench:console — the officials' console under fifty officials at once (issue 23: the alerts
 * board and an alert's page under 200 ms p95 for 50 concurrent sessions, at scale 28 with 10,000
 * open alerts).
 *
 * A copy of the simulated year's warehouse (bench/simulatedWarehouse.ts, kept in --dir) gets the
 * alerts, their history and emails, and the console users (bench/consoleSeed.ts); `edumon run`
 * is started on it as a user runs it (its own process, rule schedule off, topics of its own, the
 * console on a free port read from the service file). Each session logs in as a browser does
 * (the login form's token, then its session cookie), then loops for --seconds: the board (its
 * default view mostly; sometimes filtered, page 2, or a school's name), then the page of an
 * alert in its scope, back to back (or with --think, a pause after each page). Latency is request sent to the last byte of the
 * body; any answer but 200 is an error. The copy is removed afterwards (--keep keeps it).
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../core/config.ts';
import { connect, openWarehouse } from '../core/db.ts';
import { createKafka } from '../core/kafka.ts';
import { createLogger } from '../core/log.ts';
import { regions } from '../core/regions.ts';
import { topicsOf } from '../domain/topics.ts';
import { migrate } from '../pipeline/migrate.ts';
import { readServiceFile } from '../service/client.ts';
import { canSeeAlert } from '../service/console/roles.ts';
import { fmt, parseBenchArgs, progress, r3, runMain } from './common.ts';
import { type BenchUser, prng, type Seeded, seedConsole } from './consoleSeed.ts';
import { BENCH_KEY, simulatedWarehouse } from './simulatedWarehouse.ts';

const ROOT = join(import.meta.dirname, '..');
const TARGET_P95_MS = 200;
const USAGE = `usage: npm run bench:console -- --dir DIR [--scale 28] [--alerts 10000] [--sessions 50] [--seconds 30] [--think 0] [--keep] [--profile DIR]

Copies the simulated year's warehouse in DIR (made there first if missing: scale 28 takes a while),
adds --alerts open alerts (and a quarter as many resolved) with their history and emails and
--sessions console users, starts \`edumon run\` on the copy and has --sessions signed-in officials
load the alerts board and an alert's page for --seconds, back to back or, with --think MS, each
pausing about MS milliseconds (0.5x to 1.5x, at random) after each page as a person reading it does. Prints requests, p50 / p95 /
p99 / max, errors and requests/s per page, the service's RSS, and pass or fail against ${TARGET_P95_MS} ms
p95; writes bench/results/console-*.json. --keep keeps the copy (DIR/console-run); --profile writes
the service's CPU profile (node --cpu-prof) into a folder, for bench/cpuprofile-top.ts. Needs the local
broker (npm run kafka:up): the service consumes topics of its own, deleted afterwards.`;

/** The value below which a share p of the sorted values lies (nearest rank). */
const quantile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

type RequestOptions = { method?: string; cookie?: string; body?: string; origin?: string };

/**
 * One HTTP request on the keep-alive agent; resolves once the whole body has arrived. A GET whose
 * reused connection the server had just closed (idle past its keep-alive timeout) is sent again
 * once, as browsers do and Node's documentation advises: that is the client's race, not an error
 * of the service.
 */
async function http(agent: Agent, url: URL, opts: RequestOptions = {}): Promise<Answer> {
  try {
    return await send(agent, url, opts);
  } catch (err) {
    if ((opts.method ?? 'GET') !== 'GET' || !(err as { reused?: boolean }).reused || (err as NodeJS.ErrnoException).code !== 'ECONNRESET') throw err;
    return send(agent, url, opts);
  }
}

function send(agent: Agent, url: URL, opts: RequestOptions): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (opts.cookie) headers.cookie = opts.cookie;
    if (opts.origin) headers.origin = opts.origin;
    if (opts.body !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers['content-length'] = String(Buffer.byteLength(opts.body));
    }
    const req = request(url, { agent, method: opts.method ?? 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', (err) => reject(Object.assign(err, { reused: req.reusedSocket })));
    req.end(opts.body);
  });
}

/** A cookie's value from an answer's Set-Cookie headers. */
function cookieOf(a: Answer, name: string): string | undefined {
  const set = a.headers['set-cookie'];
  for (const line of Array.isArray(set) ? set : set ? [set] : []) {
    const m = new RegExp(`^${name}=([^;]*)`).exec(line);
    if (m?.[1]) return m[1];
  }
  return undefined;
}

/** Signs `user` in as a browser does: the login form (its token, also set as a cookie), then the form posted from the console's origin. Returns the session cookie. */
async function logIn(agent: Agent, base: string, user: BenchUser): Promise<string> {
  const form = await http(agent, new URL('/login', base));
  const token = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1];
  const csrfCookie = cookieOf(form, 'edumon_login_csrf');
  if (form.status !== 200 || !token || !csrfCookie) throw new Error(`GET /login answered ${form.status} without the form's token`);
  const body = new URLSearchParams({ _csrf: token, login: user.id, password: user.password }).toString();
  const done = await http(agent, new URL('/login', base), { method: 'POST', cookie: `edumon_login_csrf=${csrfCookie}`, body, origin: new URL(base).origin });
  const session = cookieOf(done, 'edumon_session');
  if (done.status !== 303 || !session) throw new Error(`POST /login for ${user.id} answered ${done.status}: ${done.body.slice(0, 300)}`);
  return `edumon_session=${session}`;
}

interface Sample {
  page: 'board' | 'alert';
  variant: string;
  ms: number;
  status: number;
  bytes: number;
}

/** What one session may look at: the alerts its scope reaches, its regions, school name parts. */
interface SessionPlan {
  user: BenchUser;
  cookie: string;
  alertIds: string[];
  regions: string[];
  schoolWords: string[];
}

/** The board URLs a session asks for: the default view mostly, sometimes a filter, page 2 or a school's name. */
function boardPath(r: ReturnType<typeof prng>, plan: SessionPlan, rules: readonly string[]): { variant: string; path: string } {
  const x = r.next();
  if (x < 0.6) return { variant: 'default', path: '/' };
  if (x < 0.7) return { variant: 'page 2', path: '/?page=2' };
  if (x < 0.8) return { variant: 'state=open', path: '/?state=open' };
  if (x < 0.88) return { variant: 'region', path: `/?region=${r.pick(plan.regions)}` };
  if (x < 0.95) return { variant: 'rule+severity', path: `/?rule=${r.pick(rules)}&severity=${r.next() < 0.5 ? 'critical' : 'warning'}` };
  const word = plan.schoolWords.length ? r.pick(plan.schoolWords) : '幼儿园';
  return { variant: 'school name', path: `/?school=${encodeURIComponent(word)}` };
}

/** The service's resident set (VmRSS), in MB; NaN once it is gone. */
function rssMbOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** CPU time (user + system) in ms of a /proc stat file: a process's, or one of its threads'. */
function cpuMsIn(statFile: string): number {
  try {
    const fields = readFileSync(statFile, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}

/** The service's CPU time so far: all of it, and its main thread's (JavaScript: routing, rendering, results into objects); the rest is DuckDB's and libuv's threads. */
function cpuMsOf(pid: number): { all: number; main: number } {
  return { all: cpuMsIn(`/proc/${pid}/stat`), main: cpuMsIn(`/proc/${pid}/task/${pid}/stat`) };
}

/** Starts `edumon run` on `warehouse` and resolves once its service file names the console. */
async function startService(env: NodeJS.ProcessEnv, warehouse: string, profileDir?: string) {
  // --profile DIR: the service's main thread profiled (node --cpu-prof), for bench/cpuprofile-top.ts.
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const child = spawn(process.execPath, [...profile, join(ROOT, 'bin', 'edumon.mjs'), 'run'], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (log = (log + d).slice(-20_000)));
  const closed = new Promise((done) => child.once('close', done));
  const until = Date.now() + 600_000;
  for (;;) {
    const info = readServiceFile(warehouse);
    if (info?.console && info.pid === child.pid) {
      return {
        pid: child.pid,
        console: info.console,
        log: () => log,
        stop: async () => {
          child.kill('SIGTERM');
          const killer = setTimeout(() => child.kill('SIGKILL'), 120_000);
          await closed;
          clearTimeout(killer);
        },
      };
    }
    if (child.exitCode !== null || Date.now() > until) throw new Error(`edumon run did not start:\n${log.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Deletes the topics the bench's service created. */
async function deleteTopics(prefix: string): Promise<void> {
  const config = loadConfig({ env: { EDUMON_TOPIC_PREFIX: prefix } });
  const admin = createKafka(config, createLogger({ level: 'warn' }), '-bench').admin();
  try {
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    const topics = Object.values(topicsOf(config)).filter((t) => existing.has(t));
    if (topics.length) await admin.deleteTopics({ topics, timeout: 30_000 });
  } catch (err) {
    progress(`could not delete the topics ${prefix}*: ${(err as Error).message}`);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Per page (or variant): requests, latency quantiles, errors, requests/s. */
function summary(samples: readonly Sample[], seconds: number) {
  const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
  return {
    requests: samples.length,
    p50Ms: r3(quantile(ms, 0.5)),
    p95Ms: r3(quantile(ms, 0.95)),
    p99Ms: r3(quantile(ms, 0.99)),
    maxMs: r3(ms.at(-1) ?? Number.NaN),
    errors: samples.filter((s) => s.status !== 200).length,
    perSecond: r3(samples.length / seconds),
    meanKb: r3(samples.reduce((n, s) => n + s.bytes, 0) / Math.max(1, samples.length) / 1024),
  };
}

async function main(): Promise<number> {
  const args = parseBenchArgs(
    process.argv.slice(2),
    {
      dir: { type: 'string' },
      scale: { type: 'string' },
      alerts: { type: 'string' },
      sessions: { type: 'string' },
      seconds: { type: 'string' },
      think: { type: 'string' },
      keep: { type: 'boolean' },
      profile: { type: 'string' },
    },
    USAGE,
  );
  if (typeof args === 'number') return args;
  if (!args.dir) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const scale = args.scale ?? '28';
  const openAlerts = Number(args.alerts ?? 10_000);
  const sessions = Number(args.sessions ?? 50);
  const seconds = Number(args.seconds ?? 30);
  const thinkMs = Number(args.think ?? 0);
  if (![openAlerts, sessions, seconds].every((n) => Number.isInteger(n) && n > 0) || !Number.isInteger(thinkMs) || thinkMs < 0) {
    process.stderr.write(`bench: --alerts, --sessions and --seconds are positive whole numbers, --think a whole number of milliseconds\n\n${USAGE}\n`);
    return 2;
  }
  const command = `npm run bench:console -- --dir ${args.dir} --scale ${scale} --alerts ${openAlerts} --sessions ${sessions} --seconds ${seconds}${thinkMs ? ` --think ${thinkMs}` : ''}`;
  progress(`${command}; ${cpus().length} CPUs, node ${process.version}`);

  const cached = await simulatedWarehouse(args.dir, scale);
  const runDir = join(args.dir, 'console-run');
  rmSync(runDir, { recursive: true, force: true });
  mkdirSync(runDir, { recursive: true });
  const warehouse = join(runDir, 'warehouse.duckdb');
  progress(`copying ${cached} (${fmt(statSync(cached).size / 1048576)} MB) to ${warehouse}`);
  copyFileSync(cached, warehouse);
  if (existsSync(`${cached}.wal`)) copyFileSync(`${cached}.wal`, `${warehouse}.wal`);

  const now = Date.now();
  let seeded: Seeded;
  {
    const instance = await openWarehouse(warehouse);
    const conn = await connect(instance);
    try {
      await migrate(conn);
      seeded = await seedConsole(conn, runDir, { open: openAlerts, resolved: Math.round(openAlerts / 4), sessions, seed: 23, now }, progress);
      await conn.run('checkpoint');
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  }

  const prefix = `bench-console-${now.toString(36)}.`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    EDUMON_WAREHOUSE: warehouse,
    EDUMON_PSEUDONYM_KEY: BENCH_KEY,
    EDUMON_TOPIC_PREFIX: prefix,
    EDUMON_GROUP_ID: `${prefix}group`,
    EDUMON_RULES_SCHEDULE: 'off',
    EDUMON_CONSOLE_ENABLED: 'true',
    EDUMON_CONSOLE_PORT: '0',
  };
  progress('starting edumon run on the copy');
  const t0 = performance.now();
  const service = await startService(env, warehouse, args.profile);
  const startMs = performance.now() - t0;
  const base = service.console;
  progress(`service up in ${fmt(startMs)} ms (pid ${service.pid}); console at ${base}; RSS ${fmt(rssMbOf(service.pid!))} MB`);

  const agent = new Agent({ keepAlive: true, maxSockets: sessions + 4 });
  const samples: Sample[] = [];
  const rss: number[] = [];
  let loadBefore: number[] = [];
  let loadAfter: number[] = [];
  let measuredSeconds = seconds;
  let serviceCpu = { all: Number.NaN, main: Number.NaN };
  const benchCpu0 = process.cpuUsage();
  try {
    const plans: SessionPlan[] = [];
    for (const user of seeded.users) {
      const cookie = await logIn(agent, base, user);
      const sees = seeded.alerts.filter((a) => canSeeAlert({ id: user.id, name: user.id, role: user.role, regions: user.regions }, a));
      const userRegions = user.role === 'county' ? user.regions : regions.filter((r) => r.code !== '410800').map((r) => r.code);
      plans.push({
        user,
        cookie,
        alertIds: sees.map((a) => a.id),
        regions: userRegions,
        schoolWords: userRegions.flatMap((c) => seeded.schoolWords.get(c) ?? []),
      });
    }
    progress(
      `${plans.length} sessions signed in; each sees ${fmt(Math.min(...plans.map((p) => p.alertIds.length)))}-${fmt(Math.max(...plans.map((p) => p.alertIds.length)))} alerts`,
    );

    const timed = async (plan: SessionPlan, page: Sample['page'], variant: string, path: string, keep: boolean) => {
      const t = performance.now();
      let status = 0;
      let bytes = 0;
      try {
        const a = await http(agent, new URL(path, base), { cookie: plan.cookie });
        status = a.status;
        bytes = Buffer.byteLength(a.body);
        if (status !== 200 && samples.filter((s) => s.status !== 200).length < 3) progress(`${path} answered ${status}: ${a.body.slice(0, 200)}`);
      } catch (err) {
        progress(`${path} failed: ${(err as Error).message}`);
      }
      if (keep) samples.push({ page, variant, ms: performance.now() - t, status, bytes });
    };

    // One untimed round per session: the first reads of the tables, the first renders.
    await Promise.all(
      plans.map(async (plan, i) => {
        const r = prng(1000 + i);
        await timed(plan, 'board', 'default', '/', false);
        await timed(plan, 'alert', 'alert', `/alerts/${r.pick(plan.alertIds)}`, false);
      }),
    );

    progress(`loading for ${seconds} s: ${sessions} sessions, board then an alert's page, ${thinkMs ? `about ${thinkMs} ms apart` : 'back to back'}`);
    loadBefore = loadavg();
    const cpu0 = cpuMsOf(service.pid!);
    const sampler = setInterval(() => rss.push(rssMbOf(service.pid!)), 250);
    const start = performance.now();
    const end = start + seconds * 1000;
    await Promise.all(
      plans.map(async (plan, i) => {
        const r = prng(2000 + i);
        while (performance.now() < end) {
          const think = () => (thinkMs ? new Promise((done) => setTimeout(done, thinkMs * (0.5 + r.next()))) : undefined);
          const b = boardPath(r, plan, seeded.rules);
          await timed(plan, 'board', b.variant, b.path, true);
          await think();
          await timed(plan, 'alert', 'alert', `/alerts/${encodeURIComponent(r.pick(plan.alertIds))}`, true);
          await think();
        }
      }),
    );
    measuredSeconds = (performance.now() - start) / 1000;
    clearInterval(sampler);
    const cpu1 = cpuMsOf(service.pid!);
    serviceCpu = { all: cpu1.all - cpu0.all, main: cpu1.main - cpu0.main };
    loadAfter = loadavg();
    rss.push(rssMbOf(service.pid!));
  } finally {
    agent.destroy();
    progress('stopping the service');
    await service.stop();
    await deleteTopics(prefix);
    if (args.keep) progress(`kept ${runDir}`);
    else rmSync(runDir, { recursive: true, force: true });
  }
  const benchCpu = process.cpuUsage(benchCpu0);

  const pages = {
    board: summary(
      samples.filter((s) => s.page === 'board'),
      measuredSeconds,
    ),
    alert: summary(
      samples.filter((s) => s.page === 'alert'),
      measuredSeconds,
    ),
  };
  const variants = Object.fromEntries(
    [...new Set(samples.filter((s) => s.page === 'board').map((s) => s.variant))].map((v) => [
      v,
      summary(
        samples.filter((s) => s.page === 'board' && s.variant === v),
        measuredSeconds,
      ),
    ]),
  );
  const pass = pages.board.p95Ms < TARGET_P95_MS && pages.alert.p95Ms < TARGET_P95_MS;
  const errors = pages.board.errors + pages.alert.errors;
  const result = {
    benchmark: 'console',
    date: new Date().toISOString(),
    command,
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model.trim(), memGb: r3(totalmem() / 2 ** 30), node: process.version },
    loadAverage: { before: loadBefore.map(r3), after: loadAfter.map(r3) },
    thinkMs,
    setup: { scale, warehouseMb: r3(statSync(cached).size / 1048576), sessions, ...seeded.counts, serviceStartMs: r3(startMs) },
    seconds: r3(measuredSeconds),
    pages,
    boardVariants: variants,
    service: {
      rssMb: { max: r3(Math.max(...rss.filter(Number.isFinite))), end: r3(rss.at(-1) ?? Number.NaN) },
      cpuMsPerRequest: r3(serviceCpu.all / Math.max(1, samples.length)),
      mainThreadCpuMsPerRequest: r3(serviceCpu.main / Math.max(1, samples.length)),
      cpuShare: r3(serviceCpu.all / 1000 / measuredSeconds),
    },
    loadGenerator: { cpuShare: r3((benchCpu.user + benchCpu.system) / 1e6 / measuredSeconds) },
    targetP95Ms: TARGET_P95_MS,
    pass,
  };
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  const out = join(ROOT, 'bench', 'results', `console-${result.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);

  const ms = (n: number) => `${fmt(n)} ms`;
  const line = (what: string, ...figures: string[]) => `  ${what.padEnd(22)} ${figures.map((f) => f.padStart(9)).join(' ')}`;
  const row = (what: string, s: ReturnType<typeof summary>) =>
    line(what, fmt(s.requests), ms(s.p50Ms), ms(s.p95Ms), ms(s.p99Ms), ms(s.maxMs), fmt(s.errors), s.perSecond.toFixed(1));
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  process.stdout.write(
    [
      `Console — ${command}`,
      `machine: ${result.machine.cpus} CPUs, ${result.machine.memGb} GB, node ${result.machine.node}; load average ${load(loadBefore)} before, ${load(loadAfter)} after`,
      `setup: ${fmt(seeded.counts.open!)} open alerts (${fmt(seeded.counts.openAcked!)} acknowledged), ${fmt(seeded.counts.resolved!)} resolved, ${fmt(seeded.counts.emails!)} emails; ${sessions} sessions; ${result.seconds} s`,
      line('page', 'requests', 'p50', 'p95', 'p99', 'max', 'errors', 'req/s'),
      row('board', pages.board),
      row('alert page', pages.alert),
      ...Object.entries(variants).map(([v, s]) => row(`  board: ${v}`, s)),
      `service: RSS max ${fmt(result.service.rssMb.max)} MB, end ${fmt(result.service.rssMb.end)} MB; CPU ${result.service.cpuShare.toFixed(2)} cores, ${result.service.cpuMsPerRequest.toFixed(1)} ms a request (main thread ${result.service.mainThreadCpuMsPerRequest.toFixed(1)} ms); load generator ${result.loadGenerator.cpuShare.toFixed(2)} cores`,
      `target: p95 under ${TARGET_P95_MS} ms for both pages — ${pass ? 'PASS' : 'FAIL'}${errors ? ` (${errors} errors)` : ''}`,
      `results: ${out}`,
      '',
    ].join('\n'),
  );
  return errors ? 1 : 0;
}

runMain(main);

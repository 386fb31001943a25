/**
 * bench:cli — how long a person waits for the CLI (issue 20: `edumon --help` under 150 ms and
 * 60 MB of RSS, `edumon query "select 1"` against a running service under 400 ms, `edumon rules
 * list` under 500 ms). Each command runs as a user runs it, its own `node bin/edumon.mjs` process,
 * --runs times after one untimed run (which warms the page cache), the three interleaved so that
 * a burst of load on a shared machine falls on all of them. Wall time is spawn..exit as seen here;
 * peak RSS is the child's ru_maxrss as /usr/bin/time reports it. The query goes to an `edumon run`
 * started on a temporary warehouse against the local broker (its own topics, deleted after). Node
 * alone starting and printing a line is timed beside them: on a shared machine it says how much of
 * a figure is the load, which no command can go below.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { loadConfig } from '../core/config.ts';
import { createKafka } from '../core/kafka.ts';
import { createLogger } from '../core/log.ts';
import { topicsOf } from '../domain/topics.ts';
import { serviceFileOf } from '../service/client.ts';
import { fmt, parseBenchArgs, progress, r3, runMain } from './common.ts';

const ROOT = join(import.meta.dirname, '..');
const USAGE = `usage: npm run bench:cli -- [--runs N] [--bin PATH]

Times \`edumon --help\`, \`edumon rules list\` and \`edumon query "select 1"\` (through an
\`edumon run\` it starts on a temporary warehouse), and node alone for reference, N runs each
(default 20), and prints the median, p95 and peak RSS of each; writes bench/results/cli-*.json. --bin runs another checkout's
bin/edumon.mjs (its service too), to measure before a change. Needs the local broker
(npm run kafka:up) and /usr/bin/time.`;

/** A command measured, and its target (issue 20). */
interface Case {
  label: string;
  /** node's arguments; a first 'bin' stands for the CLI's entry point (--bin). */
  argv: string[];
  targetMs?: number;
  targetRssMb?: number;
  /** What its output must contain, so a failing command is never timed as a fast one. */
  expect: string;
}

const CASES: Case[] = [
  // Node starting and printing a line: what no command can go below on this machine at this load.
  { label: 'node alone (for reference)', argv: ['-e', 'console.log("node")'], expect: 'node' },
  { label: 'edumon --help', argv: ['bin', '--help'], targetMs: 150, targetRssMb: 60, expect: 'usage: edumon' },
  { label: 'edumon rules list', argv: ['bin', 'rules', 'list'], targetMs: 500, expect: 'KG-' },
  { label: 'edumon query "select 1" (service up)', argv: ['bin', 'query', 'select 1 as one'], targetMs: 400, expect: 'one' },
];

/**
 * One run: wall milliseconds from spawn to exit, the child's CPU time (user + system, in 10 ms
 * steps: less swayed by other work on the machine than the wall time), and its peak RSS in MB.
 */
interface Sample {
  ms: number;
  cpuMs: number;
  rssMb: number;
}

/** Runs node on `argv` under /usr/bin/time; fails unless it exits 0 with `expect` in its output. */
async function sample(argv: string[], env: NodeJS.ProcessEnv, expect: string, timeFile: string): Promise<Sample> {
  const t0 = performance.now();
  const child = spawn('/usr/bin/time', ['-f', '%M %U %S', '-o', timeFile, process.execPath, ...argv], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
  const code = await new Promise<number | null>((done) => child.on('close', done));
  const ms = performance.now() - t0;
  if (code !== 0 || !output.includes(expect)) throw new Error(`node ${argv.join(' ')} exited ${code}:\n${output.slice(-2000)}`);
  const [rssKb, user, system] = (readFileSync(timeFile, 'utf8').trim().split('\n').at(-1) ?? '').split(' ').map(Number);
  return { ms, cpuMs: ((user ?? Number.NaN) + (system ?? Number.NaN)) * 1000, rssMb: (rssKb ?? Number.NaN) / 1024 };
}

/** The value below which a share p of the sorted values lies (nearest rank). */
const quantile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN;

/** Starts `edumon run` on `env`'s warehouse and resolves once it has written its service file. */
async function startService(bin: string, env: NodeJS.ProcessEnv, warehouse: string) {
  const child = spawn(process.execPath, [bin, 'run'], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (log += d));
  const closed = new Promise((done) => child.once('close', done));
  const until = Date.now() + 120_000;
  while (!existsSync(serviceFileOf(warehouse))) {
    if (child.exitCode !== null || Date.now() > until) throw new Error(`edumon run did not start:\n${log.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    stop: async () => {
      child.kill('SIGTERM');
      await closed;
    },
  };
}

/** Deletes the topics the bench's service created. */
async function deleteTopics(prefix: string): Promise<void> {
  const config = loadConfig({ env: { EDUMON_TOPIC_PREFIX: prefix } });
  const admin = createKafka(config, createLogger({ level: 'warn' }), '-bench').admin();
  try {
    await admin.connect();
    await admin.deleteTopics({ topics: Object.values(topicsOf(config)), timeout: 30_000 });
  } catch (err) {
    progress(`could not delete the topics ${prefix}*: ${(err as Error).message}`);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

async function main(): Promise<number> {
  const args = parseBenchArgs(process.argv.slice(2), { runs: { type: 'string' }, bin: { type: 'string' } }, USAGE);
  if (typeof args === 'number') return args;
  const runs = Number(args.runs ?? 20);
  const bin = resolve(args.bin ?? join(ROOT, 'bin', 'edumon.mjs'));
  const dir = mkdtempSync(join(tmpdir(), 'edumon-bench-cli-'));
  const prefix = `bench-cli-${Date.now().toString(36)}.`;
  const warehouse = join(dir, 'edumon.duckdb');
  // The scheduler off: the service waits for requests, as it does between sweeps.
  const env = { ...process.env, EDUMON_WAREHOUSE: warehouse, EDUMON_TOPIC_PREFIX: prefix, EDUMON_GROUP_ID: `${prefix}group`, EDUMON_RULES_SCHEDULE: 'off' };
  const loadBefore = loadavg();
  progress(`npm run bench:cli -- --runs ${runs} --bin ${relative(ROOT, bin) || bin}; ${cpus().length} CPUs, node ${process.version}; work dir ${dir}`);
  const service = await startService(bin, env, warehouse);
  const samples = CASES.map(() => [] as Sample[]);
  try {
    const timeFile = join(dir, 'time.txt');
    for (let round = 0; round <= runs; round++) {
      for (const [i, c] of CASES.entries()) {
        const s = await sample(c.argv[0] === 'bin' ? [bin, ...c.argv.slice(1)] : c.argv, env, c.expect, timeFile);
        // Round 0 warms the page cache and is not counted.
        if (round > 0) samples[i]!.push(s);
      }
    }
  } finally {
    await service.stop();
    await deleteTopics(prefix);
    rmSync(dir, { recursive: true, force: true });
  }
  const loadAfter = loadavg();
  const rows = CASES.map((c, i) => {
    const ms = samples[i]!.map((s) => s.ms).sort((a, b) => a - b);
    const rss = samples[i]!.map((s) => s.rssMb).sort((a, b) => a - b);
    const cpu = samples[i]!.map((s) => s.cpuMs).sort((a, b) => a - b);
    return {
      command: c.label,
      runs: ms.length,
      medianMs: r3(quantile(ms, 0.5)),
      p95Ms: r3(quantile(ms, 0.95)),
      maxMs: r3(ms.at(-1) ?? Number.NaN),
      cpuMedianMs: r3(quantile(cpu, 0.5)),
      rssMedianMb: r3(quantile(rss, 0.5)),
      rssMaxMb: r3(rss.at(-1) ?? Number.NaN),
      target: c.targetMs ? `< ${c.targetMs} ms${c.targetRssMb ? `, < ${c.targetRssMb} MB` : ''}` : '',
    };
  });
  const result = {
    benchmark: 'cli',
    date: new Date().toISOString(),
    command: `npm run bench:cli -- --runs ${runs}`,
    bin,
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model.trim(), memGb: r3(totalmem() / 2 ** 30), node: process.version },
    loadAverage: { before: loadBefore.map(r3), after: loadAfter.map(r3) },
    rows,
  };
  const out = join(ROOT, 'bench', 'results', `cli-${result.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  const msText = (n: number) => `${fmt(n)} ms`;
  const line = (command: string, ...figures: string[]) => `  ${command.padEnd(40)} ${figures.map((f) => f.padStart(10)).join(' ')}`;
  process.stdout.write(
    [
      `CLI start-up — npm run bench:cli -- --runs ${runs} (${bin})`,
      `machine: ${result.machine.cpus} CPUs, ${result.machine.memGb} GB, node ${result.machine.node}; load average ${load(loadBefore)} before, ${load(loadAfter)} after`,
      line('command', 'median', 'p95', 'max', 'CPU', 'peak RSS', 'target'),
      ...rows.map((r) =>
        line(r.command, msText(r.medianMs), msText(r.p95Ms), msText(r.maxMs), msText(r.cpuMedianMs), `${fmt(r.rssMedianMb)}-${fmt(r.rssMaxMb)} MB`, r.target),
      ),
      `results: ${out}`,
      '',
    ].join('\n'),
  );
  return 0;
}

runMain(main);

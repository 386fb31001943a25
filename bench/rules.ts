/**
 * Rules benchmark (issue 4): times a full sweep of every rule in sql/rules/ at several simulator
 * scales in ONE run (default 1 and 28) and reports each sweep, their ratio against the ratio of
 * event counts, the slowest rules and shared as-of computations, load times and warehouse sizes. Per scale:
 *   1. `node bin/edumon.mjs simulate --seed 1 --scale S --out DIR` (a child process) into a temp dir,
 *   2. the four JSON Lines files streamed line by line (readline) into a fresh warehouse,
 *      in-process, through the real path: decodeObject -> pseudonymizeEvent -> Sink.write in
 *      batches of 50,000 events (no Kafka), with the same pseudonym key as the simulator,
 *   3. the warehouse reopened READ_ONLY and all rules run as of truth.json's `as_of` with
 *      alerts/runRules.ts, three times; the best of the three is the figure.
 * Prints a results block, writes bench/results/rules-<ISO time>.json, deletes the temp data.
 * Progress goes to stderr.
 *
 *   npm run bench:rules -- [--scales 1,28] [--keep] [--tmp DIR]
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { RuleRun } from '../alerts/ruleRun.ts';
import { loadRules } from '../alerts/rules.ts';
import { runRules, type SharedRun } from '../alerts/runRules.ts';
import { type Config, loadConfig } from '../core/config.ts';
import { connect, openWarehouse } from '../core/db.ts';
import { families, topicsOf } from '../domain/topics.ts';
import { decodeObject } from '../ingest/decode.ts';
import { createPseudonymizer, pseudonymizeEvent, resolvePseudonymKey, type StoredEvent } from '../ingest/pseudonymize.ts';
import { migrate } from '../pipeline/migrate.ts';
import { type Rejection, Sink } from '../pipeline/sink.ts';
import { fmt, parseBenchArgs, progress, r3 } from './common.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS_DIR = join(ROOT, 'bench', 'results');
const BATCH = 50_000;
const SWEEPS = 3;
const TARGETS = { scale1Seconds: 1, scale28Seconds: 20 } as const;
/** A fixed key for the bench only: the simulator and the loader must agree on pseudonyms. */
const BENCH_KEY = 'edumon-bench-rules-pseudonym-key-not-a-secret';

const USAGE = `usage: npm run bench:rules -- [options]
       node --import tsx bench/rules.ts [options]

For each scale: simulates a year (\`node bin/edumon.mjs simulate --seed 1 --scale S\`) into a temp dir,
loads the four JSON Lines files into a fresh warehouse in-process through decode + pseudonymise +
Sink.write (batches of ${BATCH.toLocaleString('en-US')}, no Kafka), reopens it read-only and times ${SWEEPS} full sweeps of all
rules as of truth.json's as_of (alerts/runRules.ts); the best sweep is the figure.
Prints the machine, the sweeps, their ratio against the ratio of event counts, the 5 slowest steps (rules or shared as-of state),
and writes bench/results/rules-<ISO time>.json. Temp data is deleted afterwards.

Targets: scale 1 sweep < ${TARGETS.scale1Seconds} s, scale 28 sweep < ${TARGETS.scale28Seconds} s, growth no worse than linear
(sweep ratio <= event-count ratio between the smallest and largest scale).

options:
  --scales LIST   comma-separated simulator scales (default 1,28; scale 28 needs ~7 GB of disk)
  --tmp DIR       where the temp data goes (default the OS temp dir)
  --keep          keep the simulated files and warehouses (their paths are printed)
  -h, --help      show this help

Exit status: 0 the run completed (missed targets are reported, not an error), 1 failure, 2 usage.`;

const secondsSince = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;

interface Args {
  scales: number[];
  tmp: string;
  keep: boolean;
}

function parseCli(argv: string[]): Args | number {
  const v = parseBenchArgs(argv, { scales: { type: 'string' }, tmp: { type: 'string' }, keep: { type: 'boolean' } }, USAGE);
  if (typeof v === 'number') return v;
  const scales = (v.scales ?? '1,28')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  if (scales.length === 0 || scales.some((s) => !Number.isFinite(s) || s <= 0)) {
    process.stderr.write(`bench: --scales must be a comma-separated list of positive numbers, got '${v.scales}'\n`);
    return 2;
  }
  return { scales, tmp: v.tmp ?? tmpdir(), keep: v.keep ?? false };
}

// ---------------------------------------------------------------------------------------------

function machine() {
  const cpuList = cpus();
  let nproc = cpuList.length;
  try {
    nproc = Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
  } catch {
    /* cpus().length then */
  }
  return {
    nproc,
    memoryGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    cpuModel: cpuList[0]?.model ?? 'unknown',
    node: process.version,
    os: `${process.platform} ${release()}`,
  };
}

function runSimulate(scale: number, out: string, env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const args = [join(ROOT, 'bin', 'edumon.mjs'), 'simulate', '--seed', '1', '--scale', String(scale), '--out', out];
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const t0 = process.hrtime.bigint();
    let last = 0;
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      // The simulator reports every 2 s; pass on one line in 15 s.
      if (Date.now() - last > 15_000) {
        last = Date.now();
        progress(`scale ${scale}: ${s.trim().split('\n').pop()}`);
      }
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`simulate --scale ${scale} exited with ${code}: ${stdout}`));
      else {
        progress(`scale ${scale}: ${stdout.trim().split('\n').join('; ')}`);
        resolve(secondsSince(t0));
      }
    });
  });
}

interface LoadResult {
  seconds: number;
  lines: number;
  stored: number;
  duplicates: number;
  rejected: number;
  perFile: Record<string, { lines: number; seconds: number }>;
}

/** Streams the four files into the warehouse through decode + pseudonymise + sink. */
async function load(dir: string, config: Config, scale: number): Promise<LoadResult> {
  const instance = await openWarehouse(config.warehouse, config.warehouseMemoryLimit ? { memoryLimit: config.warehouseMemoryLimit } : {});
  const conn = await connect(instance);
  const t0 = process.hrtime.bigint();
  const res: LoadResult = { seconds: 0, lines: 0, stored: 0, duplicates: 0, rejected: 0, perFile: {} };
  try {
    await migrate(conn);
    const sink = await Sink.open(conn);
    const pseudonymize = createPseudonymizer(resolvePseudonymKey(config));
    const topics = topicsOf(config);
    let lastShown = Date.now();
    for (const family of families) {
      const file = join(dir, `${family}.jsonl`);
      if (!existsSync(file)) throw new Error(`${file}: missing`);
      const topic = topics[family];
      const f0 = process.hrtime.bigint();
      let lines = 0;
      let events: StoredEvent[] = [];
      let rejections: Rejection[] = [];
      let pending: Promise<void> | undefined;
      const flush = async () => {
        const batch = { topic, partition: 0, nextOffset: BigInt(lines), events, rejections };
        events = [];
        rejections = [];
        if (pending !== undefined) await pending;
        // Decoding the next batch overlaps DuckDB writing this one.
        pending = sink.write([batch]).then((w) => {
          res.stored += w.stored;
          res.duplicates += w.duplicates;
          res.rejected += w.rejected;
        });
        // Awaited at the next flush or after the file. Until then a failed write must not be an
        // unhandled rejection, which would end the process before the `finally` closes the database.
        pending.catch(() => {});
      };
      const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
      for await (const line of rl) {
        const offset = BigInt(lines);
        lines++;
        if (line === '') continue;
        let parsed: unknown;
        let d: ReturnType<typeof decodeObject>;
        try {
          parsed = JSON.parse(line);
          d = decodeObject(parsed, family);
        } catch {
          d = { ok: false, reason: 'not valid JSON' };
        }
        if (d.ok) events.push(pseudonymizeEvent(d.event, pseudonymize));
        else rejections.push({ offset, reason: d.reason, sha256: createHash('sha256').update(line).digest('hex'), bytes: Buffer.byteLength(line) });
        if (events.length + rejections.length >= BATCH) await flush();
        if (Date.now() - lastShown > 10_000) {
          lastShown = Date.now();
          const all = res.lines + lines;
          progress(
            `scale ${scale}: loading ${family}.jsonl, ${fmt(all)} lines (${fmt(all / secondsSince(t0))}/s, rss ${fmt(process.memoryUsage().rss / 2 ** 20)} MB)`,
          );
        }
      }
      if (events.length + rejections.length > 0) await flush();
      if (pending !== undefined) await pending;
      res.lines += lines;
      res.perFile[family] = { lines, seconds: r3(secondsSince(f0)) };
    }
    await conn.run('checkpoint');
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
  res.seconds = secondsSince(t0);
  return res;
}

interface SweepResult {
  seconds: number;
  runs: RuleRun[];
  shared: SharedRun[];
  violations: number;
  /** 1-minute load average before and after: other work on the machine skews the figure. */
  loadAvg1: [number, number];
}

async function sweeps(config: Config, asOf: string): Promise<{ sweeps: SweepResult[]; rows: Record<string, number> }> {
  // As `edumon rules run` opens it: read-only, DuckDB's default memory limit.
  const instance = await openWarehouse(config.warehouse, { readOnly: true });
  const conn = await connect(instance);
  const rows: Record<string, number> = {};
  const out: SweepResult[] = [];
  try {
    const tables = (
      await conn.runAndReadAll(`select table_name from information_schema.tables where table_schema = 'main' and table_type = 'BASE TABLE' order by 1`)
    )
      .getRows()
      .map((r) => String(r[0]));
    for (const t of tables) rows[t] = Number((await conn.runAndReadAll(`select count(*) from main."${t}"`)).getRows()[0]![0]);
    const rules = loadRules();
    for (let i = 0; i < SWEEPS; i++) {
      const before = loadavg()[0]!;
      const t0 = process.hrtime.bigint();
      const r = await runRules(conn, rules, { config, asOf });
      const seconds = secondsSince(t0);
      const failed = r.runs.filter((x) => x.error);
      if (failed.length) throw new Error(`rules failed: ${failed.map((x) => x.error).join('; ')}`);
      const after = loadavg()[0]!;
      out.push({ seconds, runs: r.runs, shared: r.shared, violations: r.violations.length, loadAvg1: [r3(before), r3(after)] });
      progress(
        `sweep ${i + 1}/${SWEEPS}: ${seconds.toFixed(3)} s, ${r.runs.length} rules, ${fmt(r.violations.length)} violations (load average ${before.toFixed(2)} -> ${after.toFixed(2)} on ${cpus().length} CPUs)`,
      );
    }
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
  return { sweeps: out, rows };
}

const sizeOf = (path: string) => (existsSync(path) ? statSync(path).size : 0);
const dirBytes = (dir: string) => readdirSync(dir).reduce((s, f) => s + sizeOf(join(dir, f)), 0);

async function benchScale(scale: number, base: string, keep: boolean) {
  const dir = mkdtempSync(join(base, `edumon-bench-rules-s${scale}-`));
  const data = join(dir, 'sim');
  const warehouse = join(dir, 'warehouse.duckdb');
  const env = { ...process.env, EDUMON_PSEUDONYM_KEY: BENCH_KEY, EDUMON_WAREHOUSE: warehouse, EDUMON_TOPIC_PREFIX: 'bench-rules.' };
  const config = loadConfig({ env });
  try {
    progress(`scale ${scale}: simulating into ${data}`);
    const simulateSeconds = await runSimulate(scale, data, env);
    const truth = JSON.parse(readFileSync(join(data, 'truth.json'), 'utf8')) as { as_of: string; events: Record<string, number>; violations: unknown[] };
    const events = Object.values(truth.events).reduce((a, b) => a + b, 0);
    const fileBytes = dirBytes(data);
    progress(`scale ${scale}: ${fmt(events)} events, ${(fileBytes / 2 ** 30).toFixed(2)} GB of files in ${simulateSeconds.toFixed(1)} s; loading`);
    const loaded = await load(data, config, scale);
    const warehouseBytes = sizeOf(warehouse) + sizeOf(`${warehouse}.wal`);
    progress(
      `scale ${scale}: loaded ${fmt(loaded.stored)} events in ${loaded.seconds.toFixed(1)} s (${fmt(loaded.lines / loaded.seconds)} lines/s), warehouse ${(warehouseBytes / 2 ** 20).toFixed(0)} MB`,
    );
    if (!keep) rmSync(data, { recursive: true, force: true });
    if (loaded.stored !== events || loaded.rejected > 0)
      progress(`scale ${scale}: WARNING stored ${loaded.stored} of ${events} events, ${loaded.rejected} rejected`);
    const sw = await sweeps(config, truth.as_of);
    const best = sw.sweeps.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    const ruleMs = Object.fromEntries(best.runs.map((r) => [r.rule, r.ms]));
    return {
      scale,
      events,
      eventsByFamily: truth.events,
      truthViolations: truth.violations.length,
      asOf: truth.as_of,
      simulateSeconds: r3(simulateSeconds),
      simulatedFilesMb: Math.round(fileBytes / 2 ** 20),
      load: {
        seconds: r3(loaded.seconds),
        linesPerSec: Math.round(loaded.lines / loaded.seconds),
        lines: loaded.lines,
        stored: loaded.stored,
        duplicates: loaded.duplicates,
        rejected: loaded.rejected,
        perFile: loaded.perFile,
      },
      warehouseMb: Math.round(warehouseBytes / 2 ** 20),
      rowsPerTable: sw.rows,
      sweepSeconds: r3(best.seconds),
      sweepsSeconds: sw.sweeps.map((s) => r3(s.seconds)),
      sweepsLoadAvg1: sw.sweeps.map((s) => s.loadAvg1),
      sweepsRuleMs: sw.sweeps.map((s) => Object.fromEntries(s.runs.map((r) => [r.rule, r.ms]))),
      violationsFound: best.violations,
      // Rules and the shared as-of state computed once per sweep for several of them.
      slowest: [
        ...best.runs.map((r) => ({ rule: r.rule, ms: r.ms, rows: r.rows })),
        ...best.shared.map((x) => ({ rule: `shared ${x.call}`, ms: x.ms, rows: x.rows })),
      ]
        .sort((a, b) => b.ms - a.ms)
        .slice(0, 5),
      ruleMs,
      sharedMs: Object.fromEntries(best.shared.map((x) => [x.call, x.ms])),
      ...(keep ? { kept: dir } : {}),
    };
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

type ScaleResult = Awaited<ReturnType<typeof benchScale>>;

async function main(): Promise<number> {
  const args = parseCli(process.argv.slice(2));
  if (typeof args === 'number') return args;
  const command = `npm run bench:rules${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const started = new Date();
  const startLoad = loadavg().map(r3);
  const m = machine();
  progress(`${command}; ${m.nproc} CPUs (${m.cpuModel}), ${m.memoryGb} GB, node ${m.node}`);
  const results: ScaleResult[] = [];
  for (const scale of args.scales) results.push(await benchScale(scale, args.tmp, args.keep));

  const small = results.reduce((a, b) => (b.scale < a.scale ? b : a));
  const large = results.reduce((a, b) => (b.scale > a.scale ? b : a));
  const sweepRatio = large.sweepSeconds / small.sweepSeconds;
  const eventRatio = large.events / small.events;
  // Rules and shared computations; steps under 100 ms at the large scale are noise, not growth.
  const stepMs = (r: ScaleResult): Record<string, number> => ({
    ...r.ruleMs,
    ...Object.fromEntries(Object.entries(r.sharedMs).map(([call, ms]) => [`shared ${call}`, ms])),
  });
  const [smallSteps, largeSteps] = [stepMs(small), stepMs(large)];
  const perRuleRatio = Object.keys(largeSteps)
    .filter((step) => (largeSteps[step] ?? 0) >= 100)
    .map((step) => ({
      rule: step,
      smallMs: smallSteps[step] ?? 0,
      largeMs: largeSteps[step] ?? 0,
      ratio: r3((largeSteps[step] ?? 0) / Math.max(1, smallSteps[step] ?? 0)),
    }))
    .sort((a, b) => b.ratio - a.ratio);
  const targets = {
    ...(results.some((r) => r.scale === 1)
      ? {
          scale1: {
            target: `< ${TARGETS.scale1Seconds} s`,
            measured: results.find((r) => r.scale === 1)!.sweepSeconds,
            pass: results.find((r) => r.scale === 1)!.sweepSeconds < TARGETS.scale1Seconds,
          },
        }
      : {}),
    ...(results.some((r) => r.scale === 28)
      ? {
          scale28: {
            target: `< ${TARGETS.scale28Seconds} s`,
            measured: results.find((r) => r.scale === 28)!.sweepSeconds,
            pass: results.find((r) => r.scale === 28)!.sweepSeconds < TARGETS.scale28Seconds,
          },
        }
      : {}),
    ...(results.length > 1
      ? { linear: { target: `sweep ratio <= event ratio (${eventRatio.toFixed(2)})`, measured: r3(sweepRatio), pass: sweepRatio <= eventRatio } }
      : {}),
  };
  const json = {
    benchmark: 'rules',
    date: started.toISOString(),
    finished: new Date().toISOString(),
    command,
    machine: m,
    loadAvgAtStart: startLoad,
    loadAvgAtEnd: loadavg().map(r3),
    batch: BATCH,
    sweepsPerScale: SWEEPS,
    measured:
      'best of 3 sweeps of all rules (alerts/runRules.ts) as of truth.json as_of on a READ_ONLY connection; load = decode + pseudonymise + Sink.write in-process, no Kafka',
    scales: results,
    ...(results.length > 1 ? { ratio: { smallScale: small.scale, largeScale: large.scale, sweep: r3(sweepRatio), events: r3(eventRatio) }, perRuleRatio } : {}),
    targets,
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `rules-${started.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);

  const lines = [
    `rules benchmark — ${command}`,
    `machine: ${m.nproc} CPUs (${m.cpuModel}), ${m.memoryGb} GB RAM, node ${m.node}, ${m.os}`,
    '',
    ...results.flatMap((r) => [
      `scale ${r.scale}: ${fmt(r.events)} events (simulate ${r.simulateSeconds.toFixed(1)} s, ${fmt(r.simulatedFilesMb)} MB of files; load ${r.load.seconds.toFixed(1)} s at ${fmt(r.load.linesPerSec)} lines/s; warehouse ${fmt(r.warehouseMb)} MB)`,
      `  sweep of ${Object.keys(r.ruleMs).length} rules: best ${r.sweepSeconds.toFixed(3)} s (sweeps ${r.sweepsSeconds.map((s) => s.toFixed(3)).join(', ')} s), ${fmt(r.violationsFound)} violations (truth.json ${fmt(r.truthViolations)})`,
      `  1-min load average around the sweeps: ${r.sweepsLoadAvg1.map(([a, b]) => `${a}->${b}`).join(', ')} (on ${m.nproc} CPUs; above that, other work competed)`,
      `  slowest: ${r.slowest.map((s) => `${s.rule} ${s.ms} ms`).join(', ')}`,
    ]),
    ...(results.length > 1
      ? [
          '',
          `ratio scale ${large.scale}/${small.scale}: sweep ${sweepRatio.toFixed(2)}x, events ${eventRatio.toFixed(2)}x`,
          `  fastest-growing steps (>= 100 ms): ${perRuleRatio
            .slice(0, 5)
            .map((p) => `${p.rule} ${p.smallMs}->${p.largeMs} ms (${p.ratio}x)`)
            .join(', ')}`,
        ]
      : []),
    '',
    'targets:',
    ...Object.entries(targets).map(([k, t]) => `  ${k.padEnd(8)} ${t.target.padEnd(34)} measured ${t.measured}  ${t.pass ? 'PASS' : 'FAIL'}`),
    ...(results.some((r) => r.scale === 28) ? [] : ['  (scale 28 not measured in this run)']),
    '',
    `results: ${relative(process.cwd(), file)}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`bench: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);

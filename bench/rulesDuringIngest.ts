/**
 * Rules next to ingestion (issue 4): the scheduler runs rules inside `edumon run`, on a connection
 * of its own. Does a sweep hold up the sink? Simulates the year up to yesterday (`edumon simulate
 * --seed 1 --from --to`) and
 * publishes it once to a fresh topic prefix, then consumes it with `edumon run --until-idle` into a
 * fresh warehouse per run, alternating the scheduler off and on, N rounds. With the scheduler on
 * the admission season spans the whole year, so the first tick sweeps every rule (daily ones
 * included) and season rules sweep every 10 s after it, as of the wall clock, on a warehouse
 * that grows under them. Per run: wall time, events/s, the longest sink transaction
 * (PipelineStats.longestWriteMs, from the child's final log line), and, from rule_runs, the sweeps
 * that ran and the longest. Prints a results block and writes
 * bench/results/rules-during-ingest-<ISO time>.json. Progress goes to stderr.
 *
 *   npm run bench:rules-ingest -- [--rounds N] [--scale S] [--keep]
 */

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../core/config.ts';
import { connect, openWarehouse } from '../core/db.ts';
import { createKafka } from '../core/kafka.ts';
import { createLogger } from '../core/log.ts';
import { shanghaiDate } from '../core/shanghai.ts';
import { liveSeason } from '../simulator/liveSeason.ts';
import { fmt, parseBenchArgs, progress, r3 } from './common.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS_DIR = join(ROOT, 'bench', 'results');

const USAGE = `usage: npm run bench:rules-ingest -- [options]
       node --import tsx bench/rulesDuringIngest.ts [options]

Simulates the year up to yesterday (seed 1) and publishes it to a fresh topic prefix, then
consumes it with \`edumon run --until-idle\` into a fresh warehouse per run, the rule scheduler off
and on in turn (on: season all year, so season rules sweep every 10 s). Reports per run and as
medians: events/s, the longest sink transaction, the sweeps that ran and the longest sweep; and
the ratios scheduler on / off. Writes bench/results/rules-during-ingest-<ISO time>.json.

options:
  --rounds N   pairs of runs, off then on (default 2)
  --scale S    simulator scale (default 1: about 1M events)
  --rate N     the season case instead: per run, \`edumon run\` is up first and the year is
               published beside it at N events/s (\`simulate --publish --rate N\`); also reports
               how far ingestion fell behind the stream (progress lines every second)
  --live       the live replay of issue 11 instead: the year ending today (Shanghai) published at
               --rate events/s (default 2,000) beside \`edumon run\` (started once publishing
               begins), the scheduler on only; once ingestion has caught up and a sweep has run
               after that, one \`edumon rules run\` through the service stands in for the next
               02:00 run of the daily rules, and the service stops. --rounds runs (default 1).
               Reports the transient false alerts (opened, then resolved by a later run with no
               event for them in between, see below), the longest sweep, the sweeps and the peak
               RSS of the service (VmHWM). Writes bench/results/rules-during-ingest-live-*.json
  --keep       keep the simulated files and warehouses (paths printed)
  -h, --help   show this help

A transient false alert (--live) is an alert occurrence that one run opened and a later run
resolved while no stored event for it has an occurred_at between the two runs' effective moments
(rule_runs.effective_as_of, or as_of where the warehouse has no such column): an event for it
names its subject (a staff or student pseudonym), else its school, else (region and city
indicators, townships) any event. A run that judged as of a moment its data had not reached
opens such alerts; a real violation cured by a later event does not count. Target 0.

Exit status: 0 the run completed, 1 failure, 2 usage.`;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

interface Run {
  scheduler: 'off' | 'on';
  seconds: number;
  stored: number;
  eventsPerSec: number;
  transactions: number;
  longestWriteMs: number;
  sweeps: number;
  ruleRuns: number;
  longestSweepMs: number;
  /** --rate only: the most events ingestion was behind the live stream, from the 1 s progress lines. */
  maxBehind?: number;
  /** --rate only: the service's peak resident set (VmHWM just before it stopped), in MB. */
  peakRssMb?: number;
  loadAvg1: [number, number];
}

/** Runs the CLI to completion: its stdout and stderr; rejects with its output on a non-zero exit. */
function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'edumon.mjs'), ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve({ out, err }) : reject(new Error(`edumon ${args.join(' ')} exited ${code}:\n${err.slice(-3000)}${out.slice(-1000)}`)),
    );
  });
}

/** Runs the CLI to completion and returns its stderr (progress and log lines). */
const edumon = async (args: string[], env: NodeJS.ProcessEnv): Promise<string> => (await runCli(args, env)).err;
/** Runs the CLI to completion and returns its stdout. */
const edumonOut = async (args: string[], env: NodeJS.ProcessEnv): Promise<string> => (await runCli(args, env)).out;

/** A process's peak resident set in MB (Linux VmHWM), or undefined where /proc has no such line. */
function peakRssOf(pid: number | undefined): number | undefined {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Math.round(Number(kb) / 102.4) / 10;
  } catch {
    return undefined;
  }
}

/** What a live replay left in the warehouse (--live): see USAGE for what counts as a transient false alert. */
interface LiveFigures {
  /** Whether rule_runs has effective_as_of (issue 11); without it, each run judged as of as_of. */
  effectiveColumn: boolean;
  openings: number;
  resolvedLater: number;
  transientFalse: number;
  transientFalseByRule: Record<string, number>;
  alertStorms: number;
}

async function liveFiguresOf(warehouse: string): Promise<LiveFigures> {
  const instance = await openWarehouse(warehouse, { readOnly: true });
  const conn = await connect(instance);
  const rows = async (sql: string) => (await conn.runAndReadAll(sql)).getRowObjectsJson();
  try {
    const effectiveColumn =
      Number((await rows(`select count(*) as n from information_schema.columns where table_name = 'rule_runs' and column_name = 'effective_as_of'`))[0]!.n) > 0;
    const effective = effectiveColumn ? 'coalesce(effective_as_of, as_of)' : 'as_of';
    const persons = (t: string, col: string) => `select occurred_at, school_id, ${col} as person from ${t}`;
    const byRule = await rows(`
      with ev as (
        ${persons('staff_versions', 'staff_pseudonym')} union all ${persons('wage_payments', 'staff_pseudonym')} union all ${persons('insurance_payments', 'staff_pseudonym')}
        union all ${persons('admissions', 'student_pseudonym')} union all ${persons('admission_cancellations', 'student_pseudonym')}
        union all ${persons('enrollments', 'student_pseudonym')} union all ${persons('enrollment_departures', 'student_pseudonym')}
        union all ${persons('school_versions', 'null')} union all ${persons('admission_plans', 'null')} union all ${persons('fund_disbursements', 'null')}
        union all select occurred_at, null, null from township_versions union all select occurred_at, null, null from population_reports
      ),
      runs as (select rule, as_of, ${effective} as effective from rule_runs),
      opened as (
        select t.alert_id, t.occurrence, a.rule, a.school_id, a.subject, r.effective as e_open
        from alert_transitions t join alerts a on a.id = t.alert_id left join runs r on r.rule = a.rule and r.as_of = t.happened_at
        where t.kind in ('open', 'reopen')
      ),
      resolved as (
        select o.*, r.effective as e_resolve
        from opened o join alert_transitions t on t.alert_id = o.alert_id and t.occurrence = o.occurrence and t.kind = 'resolve'
        left join runs r on r.rule = o.rule and r.as_of = t.happened_at
      ),
      kinded as (
        select *, case when subject in (select person from ev where person is not null) then 'person' when school_id is not null then 'school' else 'any' end as kind
        from resolved
      ),
      explained as (
        select alert_id, occurrence from kinded k where kind = 'person'
          and exists (select 1 from ev where ev.person = k.subject and ev.occurred_at > k.e_open and ev.occurred_at <= k.e_resolve)
        union all select alert_id, occurrence from kinded k where kind = 'school'
          and exists (select 1 from ev where ev.school_id = k.school_id and ev.occurred_at > k.e_open and ev.occurred_at <= k.e_resolve)
        union all select alert_id, occurrence from kinded k where kind = 'any'
          and exists (select 1 from ev where ev.occurred_at > k.e_open and ev.occurred_at <= k.e_resolve)
      )
      select k.rule, count(*)::int as resolved, count(*) filter (x.alert_id is null)::int as transient
      from kinded k left join explained x using (alert_id, occurrence) group by k.rule order by transient desc, k.rule`);
    const openings = Number((await rows(`select count(*) as n from alert_transitions where kind in ('open', 'reopen')`))[0]!.n);
    const alertStorms = Number((await rows(`select count(*) as n from alerts where rule = 'DQ-ALERT-STORM'`))[0]!.n);
    const transientFalseByRule: Record<string, number> = {};
    for (const r of byRule) if (Number(r.transient) > 0) transientFalseByRule[String(r.rule)] = Number(r.transient);
    return {
      effectiveColumn,
      openings,
      resolvedLater: byRule.reduce((a, r) => a + Number(r.resolved), 0),
      transientFalse: byRule.reduce((a, r) => a + Number(r.transient), 0),
      transientFalseByRule,
      alertStorms,
    };
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** The sweeps recorded in rule_runs (one per as_of) and the longest, first rule start to last rule end. */
async function sweepsOf(warehouse: string): Promise<{ sweeps: number; ruleRuns: number; longestSweepMs: number }> {
  const instance = await openWarehouse(warehouse, { readOnly: true });
  const conn = await connect(instance);
  try {
    const rows = await conn.runAndReadAll(`
      with s as (
        select as_of, count(*) as runs,
          epoch_ms(max(started_at + to_milliseconds(duration_ms))) - epoch_ms(min(started_at)) as span_ms
        from rule_runs group by as_of
      )
      select count(*)::int as sweeps, coalesce(sum(runs), 0)::int as rule_runs, coalesce(max(span_ms), 0)::int as longest from s`);
    const r = rows.getRowObjectsJson()[0]!;
    return { sweeps: Number(r.sweeps), ruleRuns: Number(r.rule_runs), longestSweepMs: Number(r.longest) };
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

async function consume(baseEnv: NodeJS.ProcessEnv, dir: string, round: number, scheduler: 'off' | 'on', configFile: string): Promise<Run> {
  const warehouse = join(dir, `run-${round}-${scheduler}.duckdb`);
  const env = {
    ...baseEnv,
    EDUMON_WAREHOUSE: warehouse,
    EDUMON_GROUP_ID: `${baseEnv.EDUMON_TOPIC_PREFIX}run-${round}-${scheduler}`,
    EDUMON_RULES_SCHEDULE: scheduler,
    EDUMON_CONFIG: configFile,
    EDUMON_LOG_FORMAT: 'json',
  };
  const before = loadavg()[0]!;
  const t0 = performance.now();
  const stderr = await edumon(['run', '--until-idle'], env);
  const seconds = (performance.now() - t0) / 1000;
  const stopped = stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .find((l) => l.msg === 'pipeline stopped');
  if (!stopped) throw new Error(`no 'pipeline stopped' line from edumon run:\n${stderr.slice(-2000)}`);
  return runOf(scheduler, seconds, stopped, warehouse, before);
}

/** One run's figures: the child's final stats line, the sweeps in its warehouse, the load around it. */
async function runOf(scheduler: 'off' | 'on', seconds: number, stopped: Record<string, unknown>, warehouse: string, loadBefore: number): Promise<Run> {
  const stored = Number(stopped.stored);
  return {
    scheduler,
    seconds: r3(seconds),
    stored,
    eventsPerSec: Math.round(stored / seconds),
    transactions: Number(stopped.transactions),
    longestWriteMs: Number(stopped.longestWriteMs),
    ...(await sweepsOf(warehouse)),
    loadAvg1: [r3(loadBefore), r3(loadavg()[0]!)],
  };
}

/**
 * --rate: the season case. `edumon run` is up first; the year is then published at `rate`
 * events/s beside it; once the publisher is done and the pipeline has caught up, SIGTERM.
 */
async function consumeLive(
  baseEnv: NodeJS.ProcessEnv,
  dir: string,
  round: number,
  scheduler: 'off' | 'on',
  configFile: string,
  publishArgs: string[],
  live = false,
): Promise<Run> {
  const warehouse = join(dir, `live-${round}-${scheduler}.duckdb`);
  const prefix = `${baseEnv.EDUMON_TOPIC_PREFIX}live-${round}-${scheduler}.`;
  const env = {
    ...baseEnv,
    EDUMON_TOPIC_PREFIX: prefix,
    EDUMON_WAREHOUSE: warehouse,
    EDUMON_GROUP_ID: `${prefix}group`,
    EDUMON_RULES_SCHEDULE: scheduler,
    EDUMON_CONFIG: configFile,
    EDUMON_LOG_FORMAT: 'json',
    EDUMON_PROGRESS_INTERVAL_MS: '1000',
  };
  // --live: the publisher first, and the service once the year is written and its publishing
  // begins, so that the first sweep (daily rules included) comes while the year is arriving.
  const pub = live
    ? spawn(process.execPath, [join(ROOT, 'bin', 'edumon.mjs'), ...publishArgs, '--publish'], {
        cwd: ROOT,
        env: { ...baseEnv, EDUMON_TOPIC_PREFIX: prefix },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
    : undefined;
  let pubOut = '';
  const published = pub
    ? new Promise<void>((resolve, reject) => {
        let err = '';
        pub.stdout!.setEncoding('utf8').on('data', (d: string) => (pubOut += d));
        pub.stderr!.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-3000)));
        pub.once('error', reject);
        pub.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`edumon simulate --publish exited ${code}:\n${err}`))));
      })
    : undefined;
  published?.catch(() => undefined); // awaited below; a failure before then must not go unhandled
  for (const end = Date.now() + 300_000; pub && !pubOut.includes('truth.json:') && pub.exitCode === null && Date.now() < end; )
    await new Promise((r) => setTimeout(r, 200));
  const lines: Record<string, unknown>[] = [];
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'edumon.mjs'), 'run'], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let partial = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    const parts = (partial + d).split('\n');
    partial = parts.pop()!;
    for (const l of parts) if (l.startsWith('{')) lines.push(JSON.parse(l) as Record<string, unknown>);
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  const waitFor = async (what: string, ok: () => boolean, ms: number) => {
    const end = Date.now() + ms;
    while (!ok()) {
      if (Date.now() > end) throw new Error(`edumon run: timed out waiting for ${what}`);
      if (child.exitCode !== null) throw new Error(`edumon run exited ${child.exitCode} while waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const before = loadavg()[0]!;
  const t0 = performance.now();
  let peakRssMb: number | undefined;
  try {
    await waitFor('the service to start', () => lines.some((l) => l.msg === 'pipeline running'), 60_000);
    await (published ?? edumon([...publishArgs, '--publish'], { ...baseEnv, EDUMON_TOPIC_PREFIX: prefix }));
    const seen = lines.length;
    // Caught up: a progress line after the publisher finished with nothing behind (lines stop once all is stored).
    await waitFor('ingestion to catch up', () => lines.slice(seen).some((l) => l.msg === 'progress' && Number(l.behind) === 0), 300_000);
    if (live) {
      // A sweep that started after everything was stored: the service's last word on the year.
      const since = new Date().toISOString();
      const ran = async () => {
        const out = await edumonOut(['query', `select count(*) from rule_runs where started_at > timestamptz '${since}'`, '--format', 'csv'], env);
        return Number(out.trim().split('\n')[1]) > 0;
      };
      const end = Date.now() + 300_000;
      while (!(await ran())) {
        if (Date.now() > end) throw new Error('edumon run: timed out waiting for a sweep after ingestion caught up');
        await new Promise((r) => setTimeout(r, 1000));
      }
      // Daily rules next run at 02:00: one run of every rule through the service stands in for it,
      // so that what the first sweep opened is resolved (or kept) before the service stops.
      await edumonOut(['rules', 'run', '--json'], env);
    }
    peakRssMb = peakRssOf(child.pid);
  } finally {
    if (pub && pub.exitCode === null) pub.kill('SIGTERM');
    child.kill('SIGTERM');
    await exited;
  }
  const seconds = (performance.now() - t0) / 1000;
  const stopped = lines.find((l) => l.msg === 'pipeline stopped');
  if (!stopped) throw new Error(`no 'pipeline stopped' line from edumon run`);
  const progressLines = lines.filter((l) => l.msg === 'progress');
  const behind = progressLines.map((l) => Number(l.behind));
  // Off Linux (no /proc), the largest RSS the 1 s progress lines reported.
  peakRssMb ??= progressLines.reduce((a, l) => Math.max(a, Number(l.rss_mb)), 0);
  return { ...(await runOf(scheduler, seconds, stopped, warehouse, before)), maxBehind: behind.reduce((a, b) => Math.max(a, b), 0), peakRssMb };
}

async function main(argv: string[]): Promise<number> {
  const v = parseBenchArgs(
    argv,
    { rounds: { type: 'string' }, scale: { type: 'string' }, rate: { type: 'string' }, live: { type: 'boolean' }, keep: { type: 'boolean' } },
    USAGE,
  );
  if (typeof v === 'number') return v;
  const rounds = Number(v.rounds ?? (v.live ? 1 : 2));
  const scale = Number(v.scale ?? 1);
  const rate = v.rate === undefined ? (v.live ? 2000 : undefined) : Number(v.rate);
  if (!Number.isInteger(rounds) || rounds < 1 || !(scale > 0) || (rate !== undefined && !(Number.isInteger(rate) && rate > 0))) {
    process.stderr.write(`bench: --rounds and --rate must be positive integers and --scale a positive number\n\n${USAGE}\n`);
    return 2;
  }
  const command = `npm run bench:rules-ingest${argv.length ? ` -- ${argv.join(' ')}` : ''}`;
  const dir = mkdtempSync(join(tmpdir(), 'edumon-bench-rules-ingest-'));
  const prefix = `bench-rules-ingest-${Date.now()}.`;
  const baseEnv: NodeJS.ProcessEnv = {};
  for (const [k, val] of Object.entries(process.env)) if (!k.startsWith('EDUMON_')) baseEnv[k] = val;
  Object.assign(baseEnv, {
    EDUMON_ENV: 'test',
    EDUMON_PSEUDONYM_KEY: 'edumon-bench-rules-ingest-key-not-a-secret',
    EDUMON_TOPIC_PREFIX: prefix,
    EDUMON_WAREHOUSE: join(dir, 'publish.duckdb'),
  });
  const configFile = join(dir, 'config.json');
  // --live: a season covering today and the simulated admissions (liveSeason); otherwise all year.
  writeFileSync(configFile, JSON.stringify({ rules: v.live ? liveSeason(new Date()) : { seasonStart: '01-01', seasonEnd: '12-31' } }));
  progress(`${command}; ${cpus().length} CPUs, node ${process.version}; work dir ${dir}`);
  try {
    // The year up to yesterday (Shanghai): the scheduler evaluates as of the wall clock, so this is
    // what it would see in production, with wages owed and paid up to date.
    const day = (msAgo: number) => shanghaiDate(Date.now() - msAgo);
    if (v.live) {
      // The year ending today: the stream's event time reaches the wall clock only at its end.
      const simulate = ['simulate', '--seed', '1', '--scale', String(scale), '--from', day(364 * 86_400_000), '--to', day(0), '--out', join(dir, 'sim')];
      return await live({ command, dir, baseEnv, configFile, simulate, rounds, scale, rate: rate!, prefix });
    }
    const [from, to] = [day(365 * 86_400_000), day(86_400_000)];
    const simulate = ['simulate', '--seed', '1', '--scale', String(scale), '--from', from, '--to', to, '--out', join(dir, 'sim')];
    if (rate === undefined) {
      progress(`simulating scale ${scale}, ${from}..${to}, and publishing it to ${prefix}*`);
      const t0 = performance.now();
      await edumon([...simulate, '--publish'], baseEnv);
      progress(`simulated and published in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    const runs: Run[] = [];
    for (let round = 1; round <= rounds; round++) {
      for (const scheduler of ['off', 'on'] as const) {
        progress(
          `round ${round}/${rounds}: ${rate === undefined ? 'edumon run --until-idle' : `edumon run beside the year published at ${fmt(rate)} events/s`}, scheduler ${scheduler}`,
        );
        const run =
          rate === undefined
            ? await consume(baseEnv, dir, round, scheduler, configFile)
            : await consumeLive(baseEnv, dir, round, scheduler, configFile, [...simulate, '--rate', String(rate)]);
        runs.push(run);
        progress(
          `  ${fmt(run.stored)} events in ${run.seconds.toFixed(1)} s (${fmt(run.eventsPerSec)}/s), longest transaction ${run.longestWriteMs} ms, ${run.sweeps} sweeps (${run.ruleRuns} rule runs, longest ${run.longestSweepMs} ms)${run.maxBehind === undefined ? '' : `, at most ${fmt(run.maxBehind)} events behind`}`,
        );
      }
    }
    const of = (s: 'off' | 'on') => runs.filter((r) => r.scheduler === s);
    const summary = (s: 'off' | 'on') => ({
      eventsPerSec: Math.round(median(of(s).map((r) => r.eventsPerSec))),
      longestWriteMs: Math.round(median(of(s).map((r) => r.longestWriteMs))),
      sweeps: median(of(s).map((r) => r.sweeps)),
      longestSweepMs: Math.round(median(of(s).map((r) => r.longestSweepMs))),
      ...(rate === undefined ? {} : { maxBehind: Math.round(median(of(s).map((r) => r.maxBehind ?? 0))) }),
    });
    const off = summary('off');
    const on = summary('on');
    const ratios = { eventsPerSec: r3(on.eventsPerSec / off.eventsPerSec), longestWriteMs: r3(on.longestWriteMs / off.longestWriteMs) };
    const result = {
      benchmark: 'rules-during-ingest',
      date: new Date().toISOString(),
      command,
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memGb: r3(totalmem() / 2 ** 30), node: process.version, kernel: release() },
      scale,
      rounds,
      ...(rate === undefined ? {} : { rate }),
      measured:
        'edumon run --until-idle spawn to exit on the same published year; scheduler on = season all year (season rules every 10 s, daily rules once); longest write = PipelineStats.longestWriteMs; sweeps from rule_runs (per as_of, first rule start to last rule end)',
      runs,
      medians: { off, on },
      ratiosOnToOff: ratios,
    };
    mkdirSync(RESULTS_DIR, { recursive: true });
    const file = join(RESULTS_DIR, `rules-during-ingest-${result.date.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    const line = (name: string, s: typeof off) =>
      `  scheduler ${name.padEnd(4)} ${fmt(s.eventsPerSec).padStart(7)} events/s   longest transaction ${String(s.longestWriteMs).padStart(5)} ms   sweeps ${s.sweeps} (longest ${s.longestSweepMs} ms)` +
      (s.maxBehind === undefined ? '' : `   at most ${fmt(s.maxBehind)} events behind`);
    process.stdout.write(
      [
        '',
        `rules during ingestion — ${command}`,
        `machine: ${result.machine.cpus} CPUs, ${result.machine.memGb} GB, node ${process.version}`,
        `medians of ${rounds} run(s) each:`,
        line('off', off),
        line('on', on),
        `ratio on/off: events/s ${ratios.eventsPerSec}, longest transaction ${ratios.longestWriteMs}`,
        `results: ${relative(process.cwd(), file)}`,
        '',
      ].join('\n'),
    );
    return 0;
  } finally {
    if (v.keep) progress(`kept ${dir} and the topics ${prefix}*`);
    else {
      rmSync(dir, { recursive: true, force: true });
      await deleteTopics(prefix);
    }
  }
}

/**
 * --live: per round, the year ending today published at `rate` events/s beside `edumon run`, the
 * scheduler on; figures from the service (peak RSS, backlog) and its warehouse (sweeps, alerts).
 */
async function live(o: {
  command: string;
  dir: string;
  baseEnv: NodeJS.ProcessEnv;
  configFile: string;
  simulate: string[];
  rounds: number;
  scale: number;
  rate: number;
  prefix: string;
}): Promise<number> {
  const rounds: Array<Run & LiveFigures> = [];
  for (let round = 1; round <= o.rounds; round++) {
    progress(`round ${round}/${o.rounds}: edumon run beside the year ending today published at ${fmt(o.rate)} events/s, scheduler on`);
    const run = await consumeLive(o.baseEnv, o.dir, round, 'on', o.configFile, [...o.simulate, '--rate', String(o.rate)], true);
    const figures = await liveFiguresOf(join(o.dir, `live-${round}-on.duckdb`));
    rounds.push({ ...run, ...figures });
    progress(
      `  ${fmt(run.stored)} events in ${run.seconds.toFixed(1)} s, ${run.sweeps} sweeps (longest ${fmt(run.longestSweepMs)} ms), peak RSS ${run.peakRssMb} MB, ` +
        `${fmt(figures.openings)} openings, ${fmt(figures.transientFalse)} transient false alerts`,
    );
  }
  const result = {
    benchmark: 'rules-during-ingest-live',
    date: new Date().toISOString(),
    command: o.command,
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memGb: r3(totalmem() / 2 ** 30), node: process.version, kernel: release() },
    scale: o.scale,
    rate: o.rate,
    simulate: o.simulate.slice(0, o.simulate.indexOf('--out')),
    measured:
      'the year ending today published (`simulate --publish --rate`) and `edumon run` started once publishing began, scheduler on (a season covering today and the simulated admissions: liveSeason); once caught up and a sweep ran after that, one `edumon rules run` through the service (the next daily run), then SIGTERM. ' +
      'transientFalse = alert occurrences opened by one run and resolved by a later one with no stored event for them (subject, else school, else any) between the two runs’ effective moments; ' +
      'sweeps from rule_runs (per as_of, first rule start to last rule end); peak RSS = VmHWM of `edumon run`',
    runs: rounds,
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `rules-during-ingest-live-${result.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  const byRule = (r: LiveFigures) =>
    Object.entries(r.transientFalseByRule)
      .map(([k, n]) => `${k} ${fmt(n)}`)
      .join(', ') || 'none';
  process.stdout.write(
    [
      '',
      `rules during a live replay — ${o.command}`,
      `machine: ${result.machine.cpus} CPUs, ${result.machine.memGb} GB, node ${process.version}`,
      ...rounds.map(
        (r, i) =>
          `  round ${i + 1}: ${fmt(r.stored)} events at ${fmt(o.rate)}/s, ${r.sweeps} sweeps (longest ${fmt(r.longestSweepMs)} ms), peak RSS ${r.peakRssMb} MB, ` +
          `at most ${fmt(r.maxBehind ?? 0)} events behind\n` +
          `    alerts: ${fmt(r.openings)} opened, ${fmt(r.resolvedLater)} resolved by a later run, ${fmt(r.transientFalse)} of them with no event in between (target 0: ${byRule(r)}); ` +
          `DQ-ALERT-STORM ${r.alertStorms}; effective moments from ${r.effectiveColumn ? 'rule_runs.effective_as_of' : 'as_of (no effective_as_of column)'}`,
      ),
      `results: ${relative(process.cwd(), file)}`,
      '',
    ].join('\n'),
  );
  return 0;
}

/** Deletes the bench's topics (and with them what the runs consumed). */
async function deleteTopics(prefix: string): Promise<void> {
  const admin = createKafka(loadConfig({ env: { EDUMON_TOPIC_PREFIX: prefix } }), createLogger({ level: 'warn' }), '-bench').admin();
  try {
    await admin.connect();
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (mine.length) await admin.deleteTopics({ topics: mine, timeout: 30_000 });
    progress(`deleted topics ${mine.join(', ')}`);
  } catch (err) {
    progress(`could not delete the topics ${prefix}*: ${(err as Error).message}`);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);

/**
 * Ingest benchmark: publishes N contract events (default 1,000,000) to a fresh topic prefix, then
 * on that same data measures
 *   1. the publish rate (Publisher over a kafkajs producer, generation included),
 *   2. a bare kafkajs consumer that only counts messages (the ceiling for the pipeline),
 *   3. `edumon run --until-idle` end to end in a child process: wall time, rows stored (verified
 *      in the warehouse afterwards) and the child's peak RSS.
 * Prints a results block, writes bench/results/ingest-<date>.json, deletes the bench topics,
 * consumer groups and the temporary warehouse. Progress goes to stderr.
 *
 *   npm run bench:ingest -- [--events N] [--cpu-prof DIR] [--keep] [--brokers LIST]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { type Config, loadConfig } from '../core/config.ts';
import { connect, openWarehouse } from '../core/db.ts';
import { createKafka, ensureTopics } from '../core/kafka.ts';
import { createLogger } from '../core/log.ts';
import { eventTables } from '../domain/eventTables.ts';
import { eventTopicsOf, topicsOf } from '../domain/topics.ts';
import { Publisher } from '../ingest/publish.ts';
import { validEvents } from '../simulator/sampleEvents.ts';
import { fmt, parseBenchArgs, progress } from './common.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS_DIR = join(ROOT, 'bench', 'results');
const DEFAULT_EVENTS = 1_000_000;
const CHUNK = 10_000;
const TARGETS = { endToEndPerSec: 50_000, ratio: 0.6, peakRssMb: 600 } as const;
/** A phase fails if no message arrives for this long. */
const STALL_MS = 120_000;

const USAGE = `usage: npm run bench:ingest -- [options]
       node --import tsx bench/ingest.ts [options]

Publishes N valid contract events (all 12 types) to a fresh topic prefix bench-<timestamp>.,
then measures on that same data:
  1. publish rate      Publisher (ingest/publish.ts) over a kafkajs producer, generation included
  2. bare consumer     kafkajs consumer group over the 4 event topics that only counts messages
                       (settings of pipeline/consumer.ts); events/s from first batch to last
  3. end to end        \`node bin/edumon.mjs run --until-idle\` as a child process into a fresh
                       temporary warehouse, rule scheduler off; events/s = rows stored / wall time spawn..exit;
                       rows are counted in the 12 event tables afterwards; peak RSS of the child
Prints a results block (targets: >= ${TARGETS.endToEndPerSec} events/s end to end, end-to-end/bare >= ${TARGETS.ratio},
peak RSS < ${TARGETS.peakRssMb} MB), writes bench/results/ingest-<date>.json, then deletes the bench topics,
consumer groups and the temporary warehouse. Progress is written to stderr.

options:
  --events N        number of events (default ${DEFAULT_EVENTS.toLocaleString('en-US')})
  --brokers LIST    Kafka brokers host:port,... (default: the edumon config, 127.0.0.1:9092)
  --cpu-prof DIR    run the end-to-end child under \`node --cpu-prof --cpu-prof-dir=DIR\`
                    (summarise with: node --import tsx bench/cpuprofile-top.ts DIR/*.cpuprofile)
  --keep            keep the topics and the warehouse (their names are printed)
  -h, --help        show this help

Exit status: 0 the run completed and every event was stored (targets missed are reported, not
an error), 1 the run failed (a phase stalled, the child failed, or the row count is wrong), 2 usage.`;

// ---------------------------------------------------------------------------------------------

const secondsSince = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;

interface Args {
  events: number;
  brokers?: string;
  cpuProf?: string;
  keep: boolean;
}

function parseCli(argv: string[]): Args | number {
  const v = parseBenchArgs(argv, { events: { type: 'string' }, brokers: { type: 'string' }, 'cpu-prof': { type: 'string' }, keep: { type: 'boolean' } }, USAGE);
  if (typeof v === 'number') return v;
  const events = v.events === undefined ? DEFAULT_EVENTS : Number(v.events.replace(/_/g, ''));
  if (!Number.isInteger(events) || events < 1) {
    process.stderr.write(`bench: --events must be a positive integer, got '${v.events}'\n`);
    return 2;
  }
  return { events, keep: v.keep ?? false, ...(v.brokers ? { brokers: v.brokers } : {}), ...(v['cpu-prof'] ? { cpuProf: v['cpu-prof'] } : {}) };
}

// ---------------------------------------------------------------------------------------------
// 1. Publish

interface PublishResult {
  seconds: number;
  generateSeconds: number;
  perSec: number;
  bytes: number;
}

async function publish(kafka: Kafka, config: Config, total: number): Promise<PublishResult> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    const publisher = new Publisher(producer, config);
    const t0 = process.hrtime.bigint();
    let genNs = 0n;
    let bytes = 0;
    let nextReport = Math.min(100_000, total);
    for (let done = 0, seed = 1; done < total; seed++) {
      const n = Math.min(CHUNK, total - done);
      const g0 = process.hrtime.bigint();
      // validEvents numbers event ids ev-<seed>-<i>: a distinct seed per chunk keeps them unique.
      const chunk = validEvents(n, seed);
      genNs += process.hrtime.bigint() - g0;
      for (const e of chunk) {
        const value = JSON.stringify(e);
        bytes += value.length;
        await publisher.add(e, value);
      }
      done += n;
      if (done >= nextReport || done === total) {
        const s = secondsSince(t0);
        progress(`published ${fmt(done)}/${fmt(total)} (${fmt(done / s)} events/s)`);
        nextReport += 100_000;
      }
    }
    await publisher.flush();
    const seconds = secondsSince(t0);
    if (publisher.published !== total) throw new Error(`publisher acknowledged ${publisher.published} of ${total} events`);
    return { seconds, generateSeconds: Number(genNs) / 1e9, perSec: total / seconds, bytes };
  } finally {
    await producer.disconnect();
  }
}

// ---------------------------------------------------------------------------------------------
// 2. Bare consumer

interface BareResult {
  messages: number;
  /** First batch to last batch. */
  seconds: number;
  perSec: number;
  /** connect() to the last batch, group join included. */
  wallSeconds: number;
  batches: number;
}

async function bareConsumer(kafka: Kafka, config: Config, groupId: string, total: number): Promise<BareResult> {
  const topics = eventTopicsOf(config);
  // The settings of pipeline/consumer.ts.
  const consumer: Consumer = kafka.consumer({
    groupId,
    maxBytesPerPartition: config.kafka.maxBytesPerPartition,
    maxBytes: config.kafka.maxBytesPerPartition * 4,
    maxWaitTimeInMs: 250,
    retry: { retries: 8, initialRetryTime: 300, maxRetryTime: 10_000 },
  });
  const tConnect = process.hrtime.bigint();
  let first: bigint | undefined;
  let last = 0n;
  let count = 0;
  let batches = 0;
  let lastProgress = Date.now();
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  try {
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      autoCommit: true,
      autoCommitInterval: 1000,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat }: EachBatchPayload) => {
        if (batch.messages.length === 0) return;
        first ??= process.hrtime.bigint();
        count += batch.messages.length;
        batches++;
        last = process.hrtime.bigint();
        lastProgress = Date.now();
        resolveOffset(batch.messages[batch.messages.length - 1]!.offset);
        await heartbeat();
        if (count >= total) resolveDone();
      },
    });
    const ticker = setInterval(() => {
      progress(
        `bare consumer: ${fmt(count)}/${fmt(total)}` +
          (first ? ` (${fmt(count / (Number(process.hrtime.bigint() - first) / 1e9))} events/s)` : ' (joining the group)'),
      );
    }, 2000);
    const stall = new Promise<never>((_, reject) => {
      const timer = setInterval(() => {
        if (Date.now() - lastProgress > STALL_MS) {
          clearInterval(timer);
          reject(new Error(`bare consumer stalled at ${count}/${total} messages`));
        }
      }, 1000);
      void done.then(() => clearInterval(timer));
    });
    try {
      await Promise.race([done, stall]);
    } finally {
      clearInterval(ticker);
    }
  } finally {
    await consumer.disconnect();
  }
  const seconds = Number(last - first!) / 1e9;
  return { messages: count, seconds, perSec: count / seconds, wallSeconds: Number(last - tConnect) / 1e9, batches };
}

// ---------------------------------------------------------------------------------------------
// 3. edumon run --until-idle

interface EndToEndResult {
  exitCode: number | null;
  signal: string | null;
  /** spawn() to exit. */
  seconds: number;
  /** First "partitions assigned" log line to exit: without process start-up and group join. */
  fromAssignmentSeconds: number | null;
  rowsStored: number;
  rowsPerTable: Record<string, number>;
  rejections: number;
  perSec: number;
  perSecFromAssignment: number | null;
  peakRssMb: number;
  peakRssSource: string;
  /** Both readings, in MB: /usr/bin/time -v (0 if not used) and the /proc poll. */
  rssReadingsMb: { time: number; procPoll: number };
  /** CPU of the child from /usr/bin/time -v: user and system seconds, % of one CPU over its wall time. */
  cpu: { userSeconds: number; systemSeconds: number; percentOfOneCpu: number } | null;
  childSummary: string;
  command: string;
}

/** VmHWM / VmRSS of a process in kB, or undefined once it is gone. */
function memOf(pid: number): { hwm: number; rss: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const hwm = /^VmHWM:\s+(\d+)/m.exec(status)?.[1];
    const rss = /^VmRSS:\s+(\d+)/m.exec(status)?.[1];
    if (hwm === undefined && rss === undefined) return undefined;
    return { hwm: Number(hwm ?? 0), rss: Number(rss ?? 0) };
  } catch {
    return undefined;
  }
}

/** The pid of the (first) child of `pid`, e.g. node under /usr/bin/time. */
function childPidOf(pid: number): number | undefined {
  try {
    const first = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)[0];
    return first ? Number(first) : undefined;
  } catch {
    return undefined;
  }
}

async function endToEnd(opts: {
  prefix: string;
  groupId: string;
  warehouse: string;
  brokers?: string;
  cpuProf?: string;
  workDir: string;
}): Promise<EndToEndResult> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('EDUMON_')) env[k] = v;
  Object.assign(env, {
    EDUMON_ENV: 'test',
    EDUMON_PSEUDONYM_KEY: 'bench-pseudonym-key-0123456789abcdef'.slice(0, 32),
    EDUMON_TOPIC_PREFIX: opts.prefix,
    EDUMON_GROUP_ID: opts.groupId,
    EDUMON_WAREHOUSE: opts.warehouse,
    // Ingestion alone: the synthetic events make no sense to the rules (bench:rules-ingest
    // measures the scheduler next to ingestion, on a simulated year).
    EDUMON_RULES_SCHEDULE: 'off',
    ...(opts.brokers ? { EDUMON_KAFKA_BROKERS: opts.brokers } : {}),
  });
  const nodeArgs = [...(opts.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProf}`] : []), 'bin/edumon.mjs', 'run', '--until-idle'];
  const useTime = existsSync('/usr/bin/time');
  const timeFile = join(opts.workDir, 'time-v.txt');
  const [cmd, args] = useTime ? ['/usr/bin/time', ['-v', '-o', timeFile, process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
  const command = `node ${nodeArgs.join(' ')}`;
  progress(`end to end: spawning ${command}${useTime ? ' (under /usr/bin/time -v)' : ''}`);

  const t0 = process.hrtime.bigint();
  const child: ChildProcess = spawn(cmd, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let assignedAt: bigint | undefined;
  let stdout = '';
  let stderrTail = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  let partial = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    const lines = (partial + d).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      if (assignedAt === undefined && line.includes('partitions assigned')) assignedAt = process.hrtime.bigint();
      stderrTail = `${stderrTail + line}\n`.slice(-4000);
      // The assignment line lists every partition: shorten it.
      process.stderr.write(`  [edumon] ${line.length > 200 ? `${line.slice(0, 200)}…` : line}\n`);
    }
  });

  // Peak RSS by polling /proc (VmHWM is the kernel's high-water mark, so the last read before exit
  // is the peak up to then); /usr/bin/time's maximum resident set size, when available, is exact.
  let polledKb = 0;
  const poll = () => {
    const pid = useTime ? childPidOf(child.pid!) : child.pid;
    const m = pid === undefined ? undefined : memOf(pid);
    if (m) polledKb = Math.max(polledKb, m.hwm, m.rss);
  };
  const poller = setInterval(poll, 200);
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, sig) => resolve([code, sig]));
  });
  const exitAt = process.hrtime.bigint();
  const seconds = Number(exitAt - t0) / 1e9;
  clearInterval(poller);
  let timeKb = 0;
  let cpu: EndToEndResult['cpu'] = null;
  if (useTime && existsSync(timeFile)) {
    const text = readFileSync(timeFile, 'utf8');
    const num = (re: RegExp) => Number(re.exec(text)?.[1] ?? NaN);
    timeKb = num(/Maximum resident set size \(kbytes\): (\d+)/) || 0;
    const user = num(/User time \(seconds\): ([\d.]+)/);
    const system = num(/System time \(seconds\): ([\d.]+)/);
    if (Number.isFinite(user) && Number.isFinite(system)) {
      cpu = { userSeconds: user, systemSeconds: system, percentOfOneCpu: Math.round((100 * (user + system)) / seconds) };
    }
  }
  const fromAssignmentSeconds = assignedAt === undefined ? null : Number(exitAt - assignedAt) / 1e9;

  if (exitCode !== 0) {
    throw new Error(`edumon run exited with ${exitCode ?? signal}; last output:\n${stderrTail}${stdout}`);
  }

  // Verify: rows in the 12 event tables of the warehouse the child left behind.
  const instance = await openWarehouse(opts.warehouse, { readOnly: true });
  const conn = await connect(instance);
  const rowsPerTable: Record<string, number> = {};
  let rejections = 0;
  try {
    for (const table of eventTables) {
      const rows = (await conn.runAndReadAll(`select count(*) from main.${table}`)).getRows();
      rowsPerTable[table] = Number(rows[0]![0] as bigint);
    }
    rejections = Number((await conn.runAndReadAll(`select count(*) from main.rejections`)).getRows()[0]![0] as bigint);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
  const rowsStored = Object.values(rowsPerTable).reduce((a, b) => a + b, 0);
  const peakKb = Math.max(timeKb, polledKb);
  return {
    exitCode,
    signal,
    seconds,
    fromAssignmentSeconds,
    rowsStored,
    rowsPerTable,
    rejections,
    perSec: rowsStored / seconds,
    perSecFromAssignment: fromAssignmentSeconds ? rowsStored / fromAssignmentSeconds : null,
    peakRssMb: peakKb / 1024,
    rssReadingsMb: { time: round(timeKb / 1024), procPoll: round(polledKb / 1024) },
    cpu,
    peakRssSource: timeKb >= polledKb && timeKb > 0 ? '/usr/bin/time -v (max resident set size)' : '/proc/<pid>/status VmHWM polled every 200 ms',
    childSummary: stdout.trim(),
    command,
  };
}

// ---------------------------------------------------------------------------------------------

function machine() {
  let cpuModel = 'unknown';
  let memTotalMb = Math.round(totalmem() / 1024 / 1024);
  try {
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpuModel;
    const kb = /^MemTotal:\s+(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1];
    if (kb) memTotalMb = Math.round(Number(kb) / 1024);
  } catch {
    /* not Linux */
  }
  return { nproc: availableParallelism(), memTotalMb, cpuModel, node: process.version, kernel: release(), platform: process.platform };
}

async function cleanup(admin: Admin | undefined, topics: string[], groups: string[], workDir: string, keep: boolean): Promise<void> {
  if (keep) {
    progress(`--keep: topics ${topics.join(', ')} and warehouse dir ${workDir} left in place`);
    return;
  }
  if (admin) {
    try {
      const existing = new Set(await admin.listTopics());
      const mine = topics.filter((t) => existing.has(t));
      if (mine.length) await admin.deleteTopics({ topics: mine, timeout: 30_000 });
      progress(`deleted topics ${mine.join(', ')}`);
    } catch (err) {
      progress(`could not delete topics ${topics.join(', ')}: ${(err as Error).message}`);
    }
    try {
      await admin.deleteGroups(groups);
    } catch {
      /* a group that never committed does not exist */
    }
  }
  rmSync(workDir, { recursive: true, force: true });
  progress(`removed ${workDir}`);
}

async function main(argv: string[]): Promise<number> {
  const args = parseCli(argv);
  if (typeof args === 'number') return args;
  const total = args.events;
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const runId = Date.now();
  const prefix = `bench-${runId}.`;
  const bareGroup = `bench-${runId}-bare`;
  const e2eGroup = `bench-${runId}-edumon`;
  const config = loadConfig({
    env: { EDUMON_TOPIC_PREFIX: prefix, ...(args.brokers ? { EDUMON_KAFKA_BROKERS: args.brokers } : {}) },
  });
  const allTopics = Object.values(topicsOf(config));
  const workDir = mkdtempSync(join(tmpdir(), 'edumon-bench-'));
  const warehouse = join(workDir, 'bench.duckdb');
  if (args.cpuProf) mkdirSync(args.cpuProf, { recursive: true });

  const log = createLogger({ level: 'warn' });
  const kafka = createKafka(config, log, '-bench');
  const admin = kafka.admin();
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    progress('interrupted: cleaning up (Ctrl-C again to abort)');
    void cleanup(admin, allTopics, [bareGroup, e2eGroup], workDir, args.keep).finally(() => process.exit(130));
    process.once('SIGINT', () => process.exit(130));
  };
  process.once('SIGINT', onSignal);

  progress(`${fmt(total)} events, topic prefix ${prefix}, brokers ${config.kafka.brokers.join(',')}`);
  try {
    await admin.connect();
    await ensureTopics(admin, allTopics, config.kafka.partitions);
    progress(`created ${allTopics.length} topics with ${config.kafka.partitions} partitions each`);

    progress('phase 1/3: publish');
    const pub = await publish(kafka, config, total);
    progress(`published ${fmt(total)} events in ${pub.seconds.toFixed(1)} s: ${fmt(pub.perSec)} events/s`);

    progress('phase 2/3: bare kafkajs consumer');
    const bare = await bareConsumer(kafka, config, bareGroup, total);
    progress(`bare consumer: ${fmt(bare.messages)} messages in ${bare.seconds.toFixed(1)} s: ${fmt(bare.perSec)} events/s`);

    progress('phase 3/3: edumon run --until-idle');
    const e2e = await endToEnd({
      prefix,
      groupId: e2eGroup,
      warehouse,
      workDir,
      ...(args.brokers ? { brokers: args.brokers } : {}),
      ...(args.cpuProf ? { cpuProf: args.cpuProf } : {}),
    });
    progress(`end to end: ${fmt(e2e.rowsStored)} rows in ${e2e.seconds.toFixed(1)} s: ${fmt(e2e.perSec)} events/s, peak RSS ${e2e.peakRssMb.toFixed(1)} MB`);

    const ratio = e2e.perSec / bare.perSec;
    const countOk = e2e.rowsStored === total;
    const targets = {
      endToEnd: { target: `>= ${TARGETS.endToEndPerSec} events/s`, value: Math.round(e2e.perSec), pass: e2e.perSec >= TARGETS.endToEndPerSec },
      ratio: { target: `>= ${TARGETS.ratio}`, value: Number(ratio.toFixed(3)), pass: ratio >= TARGETS.ratio },
      peakRss: { target: `< ${TARGETS.peakRssMb} MB`, value: Number(e2e.peakRssMb.toFixed(1)), pass: e2e.peakRssMb < TARGETS.peakRssMb },
    };
    const command = `npm run bench:ingest${argv.length ? ` -- ${argv.join(' ')}` : ''}`;
    const m = machine();
    const result = {
      benchmark: 'ingest',
      date: new Date().toISOString(),
      command,
      events: total,
      topicPrefix: prefix,
      partitionsPerTopic: config.kafka.partitions,
      maxBytesPerPartition: config.kafka.maxBytesPerPartition,
      publish: {
        seconds: round(pub.seconds),
        eventsPerSec: Math.round(pub.perSec),
        generateSeconds: round(pub.generateSeconds),
        payloadMb: round(pub.bytes / 1024 / 1024),
      },
      bareConsumer: {
        messages: bare.messages,
        seconds: round(bare.seconds),
        eventsPerSec: Math.round(bare.perSec),
        wallSecondsWithGroupJoin: round(bare.wallSeconds),
        batches: bare.batches,
        measured: 'first batch to last batch',
      },
      endToEnd: {
        command: e2e.command,
        seconds: round(e2e.seconds),
        eventsPerSec: Math.round(e2e.perSec),
        measured: 'spawn to exit; events/s = rows stored / seconds',
        secondsFromAssignment: e2e.fromAssignmentSeconds === null ? null : round(e2e.fromAssignmentSeconds),
        eventsPerSecFromAssignment: e2e.perSecFromAssignment === null ? null : Math.round(e2e.perSecFromAssignment),
        rowsStored: e2e.rowsStored,
        rowsPerTable: e2e.rowsPerTable,
        rejections: e2e.rejections,
        rowCountMatches: countOk,
        peakRssMb: round(e2e.peakRssMb),
        peakRssSource: e2e.peakRssSource,
        rssReadingsMb: e2e.rssReadingsMb,
        childCpu: e2e.cpu,
        childSummary: e2e.childSummary,
        ...(args.cpuProf ? { cpuProfDir: args.cpuProf, note: 'run under --cpu-prof: rates include profiling overhead' } : {}),
      },
      ratioEndToEndToBare: Number(ratio.toFixed(3)),
      targets,
      machine: m,
      kafkaBrokers: config.kafka.brokers,
    };

    mkdirSync(RESULTS_DIR, { recursive: true });
    const file = join(RESULTS_DIR, `ingest-${stamp}.json`);
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);

    const pf = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
    const lines = [
      '',
      '=== edumon ingest benchmark ===',
      `command           ${command}`,
      `events            ${fmt(total)} (${config.kafka.partitions} partitions x 4 topics, prefix ${prefix})`,
      `publish           ${fmt(pub.perSec).padStart(9)} events/s   (${pub.seconds.toFixed(1)} s, generation ${pub.generateSeconds.toFixed(1)} s included)`,
      `bare consumer     ${fmt(bare.perSec).padStart(9)} events/s   (${bare.seconds.toFixed(1)} s first..last batch; ${bare.wallSeconds.toFixed(1)} s with group join)`,
      `end to end        ${fmt(e2e.perSec).padStart(9)} events/s   (${e2e.seconds.toFixed(1)} s spawn..exit` +
        (e2e.perSecFromAssignment ? `; ${fmt(e2e.perSecFromAssignment)} events/s over ${e2e.fromAssignmentSeconds!.toFixed(1)} s from assignment)` : ')'),
      `rows stored       ${fmt(e2e.rowsStored)} in 12 tables, ${fmt(e2e.rejections)} rejections  ${countOk ? 'OK' : `MISMATCH (expected ${fmt(total)})`}`,
      `ratio e2e/bare    ${ratio.toFixed(3)}`,
      `peak RSS (child)  ${e2e.peakRssMb.toFixed(1)} MB   (${e2e.peakRssSource})`,
      ...(e2e.cpu
        ? [`CPU (child)       ${e2e.cpu.percentOfOneCpu}% of one CPU (user ${e2e.cpu.userSeconds.toFixed(1)} s, system ${e2e.cpu.systemSeconds.toFixed(1)} s)`]
        : []),
      `machine           ${m.nproc} CPUs, ${fmt(m.memTotalMb)} MB, ${m.cpuModel}, node ${m.node}, Linux ${m.kernel}`,
      '',
      'targets',
      `  end to end      ${targets.endToEnd.target.padEnd(20)} ${fmt(e2e.perSec).padStart(9)}   ${pf(targets.endToEnd.pass)}`,
      `  ratio e2e/bare  ${targets.ratio.target.padEnd(20)} ${ratio.toFixed(3).padStart(9)}   ${pf(targets.ratio.pass)}`,
      `  peak RSS        ${targets.peakRss.target.padEnd(20)} ${(`${e2e.peakRssMb.toFixed(1)} MB`).padStart(9)}   ${pf(targets.peakRss.pass)}`,
      ...(args.cpuProf ? ['', `note: the child ran under --cpu-prof (profiles in ${args.cpuProf}); rates include profiling overhead`] : []),
      '',
      `results written to ${relative(process.cwd(), file) || file}`,
      '',
    ];
    process.stdout.write(lines.join('\n'));
    return countOk ? 0 : 1;
  } catch (err) {
    if (!interrupted) process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  } finally {
    if (!interrupted) {
      await cleanup(admin, allTopics, [bareGroup, e2eGroup], workDir, args.keep);
      await admin.disconnect().catch(() => undefined);
    }
  }
}

function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);

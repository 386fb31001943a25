/**
 * Publishes records with the stock Java producer (kafka-clients from infra/kafka/.dist/libs, run
 * as tests/fixtures/java/JsonLinesProducer.java by the JDK's single-file launcher), for tests of
 * what real Java services write. The source is compiled once per version of it (javac, about 3 s)
 * into a folder under the system's temporary folder; then one JVM per call (about 1.5 s, JIT held
 * to its first tier: a short run gains nothing from the optimising compiler but its CPU) exits
 * once every record is acknowledged, and the call rejects with its stderr if any was not.
 *
 * Options:
 * - `topic`: for records without their own `topic`.
 * - `compression`: the producer's `compression.type`: none, gzip, snappy, lz4 or zstd.
 * - `transactional`: `{ id?, size, abortEvery? }`: sets `transactional.id` (default: a fresh one),
 *   calls initTransactions, then sends the records in transactions of `size` records
 *   (beginTransaction ... commitTransaction). With `abortEvery: K`, every K-th transaction
 *   (the K-th, 2K-th, ...) is flushed and then aborted: its records are in the log, behind an
 *   abort marker, and a read_committed consumer must skip them. `aborted` in the result lists
 *   the indexes (into `records`) of those records.
 * - `props`: any other producer configs, e.g. `{ 'linger.ms': '0', 'batch.size': '1048576' }`
 *   (defaults here: acks=all, linger.ms=20 so that records share compressed batches).
 * - `brokers`: bootstrap servers (default 127.0.0.1:9092).
 *
 *   await javaProduce(events.map((e) => ({ topic, key: e.school_id, value: JSON.stringify(e) })), { compression: 'lz4' });
 *   const { aborted } = await javaProduce(records, { topic, transactional: { size: 10, abortEvery: 3 } });
 */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(import.meta.dirname, '..', '..');
const SOURCE = join(ROOT, 'tests', 'fixtures', 'java', 'JsonLinesProducer.java');
const LIBS = join(ROOT, 'infra', 'kafka', '.dist', 'libs');

export type JavaCompression = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

export interface JavaRecord {
  topic?: string;
  key?: string | null;
  value: string | null;
  partition?: number;
  headers?: Record<string, string>;
}

export interface JavaProducerOptions {
  topic?: string;
  compression?: JavaCompression;
  transactional?: { id?: string; size: number; abortEvery?: number };
  props?: Record<string, string>;
  brokers?: string;
}

export interface JavaProduceResult {
  sent: number;
  transactions: number;
  /** Indexes into the records of those written inside aborted transactions. */
  aborted: number[];
}

/**
 * The folder holding JsonLinesProducer.class compiled from the source as it is now (named by its
 * hash), compiled if there is none yet. Files running at once may both compile: each into its own
 * folder, renamed into place; the loser's rename fails and its folder is dropped.
 */
async function compiledProducer(): Promise<string> {
  const hash = createHash('sha256').update(readFileSync(SOURCE)).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), `edumon-java-producer-${hash}`);
  if (existsSync(join(dir, 'JsonLinesProducer.class'))) return dir;
  const work = `${dir}.${process.pid}`;
  await promisify(execFile)('javac', ['-cp', `${LIBS}/*`, '-d', work, SOURCE]);
  try {
    renameSync(work, dir);
  } catch {
    rmSync(work, { recursive: true, force: true });
  }
  return dir;
}

export async function javaProduce(records: JavaRecord[], options: JavaProducerOptions = {}): Promise<JavaProduceResult> {
  const classes = await compiledProducer();
  const jvm = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'];
  const args = [...jvm, '-cp', `${classes}:${LIBS}/*`, 'JsonLinesProducer', '--bootstrap', options.brokers ?? '127.0.0.1:9092'];
  if (options.topic) args.push('--topic', options.topic);
  if (options.compression) args.push('--compression', options.compression);
  const tx = options.transactional;
  if (tx) {
    args.push('--transactional-id', tx.id ?? `java-producer-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`);
    args.push('--transaction-size', String(tx.size));
    if (tx.abortEvery) args.push('--abort-every', String(tx.abortEvery));
  }
  for (const [name, value] of Object.entries(options.props ?? {})) args.push('--prop', `${name}=${value}`);

  const child = spawn('java', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  child.stdin.on('error', () => undefined); // a JVM that fails at start closes stdin; its stderr says why
  child.stdin.end(`${records.map((r) => JSON.stringify(r)).join('\n')}\n`);
  const code = await exited;
  const summary = stdout.trim().split('\n').pop() ?? '';
  if (code !== 0 || !summary.startsWith('{')) {
    throw new Error(`the Java producer exited ${code}: ${stderr.trim() || stdout.trim()}`);
  }
  return JSON.parse(summary) as JavaProduceResult;
}

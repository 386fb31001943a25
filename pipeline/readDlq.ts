/**
 * Reads the whole DLQ topic, from its earliest kept record to its current end, with a short-lived
 * consumer of its own group (no offsets committed, the group deleted afterwards), so that neither
 * the warehouse consumer nor any other reader is disturbed.
 */
import { randomBytes } from 'node:crypto';
import type { IHeaders, Kafka } from 'kafkajs';
import type { Config } from '../core/config.ts';
import { EdumonError } from '../core/errors.ts';
import { kafkaError } from '../core/kafka.ts';
import { topicsOf } from '../domain/topics.ts';

/** One DLQ record: where it sits in the DLQ, where it came from and why, and the original message. */
export interface DlqRecord {
  /** Partition and offset in the DLQ topic. */
  partition: number;
  offset: string;
  /** When it was forwarded to the DLQ (ms since the epoch). */
  timestamp: number;
  /** Topic, partition and offset of the original, from the edumon-* headers; null if absent. */
  origin: { topic: string; partition: number; offset: string } | null;
  reason: string;
  sha256: string;
  /** Size of the original value in bytes (0 if the DLQ could not keep the value). */
  bytes: number;
  /** The DLQ refused the original as too large: only its headers were kept. */
  valueDropped: boolean;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
}

/** Longest a read may take before it is given up (the broker is slow or a partition unreadable). */
const READ_TIMEOUT_MS = 60_000;

/** Every record now in the DLQ topic, by partition then offset; none if the topic does not exist. */
export async function readDlq(config: Config, kafka: Kafka): Promise<DlqRecord[]> {
  const topic = topicsOf(config).dlq;
  const admin = kafka.admin();
  let ends: Map<number, bigint>;
  try {
    await admin.connect();
    if (!(await admin.listTopics()).includes(topic)) return [];
    const offsets = await admin.fetchTopicOffsets(topic);
    ends = new Map(offsets.filter((o) => BigInt(o.high) > BigInt(o.low)).map((o) => [o.partition, BigInt(o.high)]));
  } catch (err) {
    throw kafkaError(`cannot read the offsets of ${topic}`, err, config.kafka.brokers);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  if (ends.size === 0) return [];

  const groupId = `edumon-dlq-reader-${process.pid}-${randomBytes(4).toString('hex')}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 250, allowAutoTopicCreation: false });
  const records: DlqRecord[] = [];
  const pending = new Set(ends.keys());
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const end = ends.get(batch.partition);
        if (end === undefined) return;
        for (const m of batch.messages) if (BigInt(m.offset) < end) records.push(recordOf(batch.partition, m));
        if (BigInt(batch.lastOffset()) + 1n >= end) pending.delete(batch.partition);
        if (pending.size === 0) done();
      },
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), READ_TIMEOUT_MS)));
    const outcome = await Promise.race([finished, timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      throw new EdumonError(`reading ${topic} took over ${READ_TIMEOUT_MS / 1000} s; partitions ${[...pending].join(', ')} not read to their end`);
    }
  } catch (err) {
    throw err instanceof EdumonError ? err : kafkaError(`cannot read ${topic}`, err, config.kafka.brokers);
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await deleteGroup(kafka, groupId);
  }
  return records.sort((a, b) => a.partition - b.partition || (BigInt(a.offset) < BigInt(b.offset) ? -1 : 1));
}

function recordOf(partition: number, m: { offset: string; timestamp: string; key: Buffer | null; value: Buffer | null; headers?: IHeaders }): DlqRecord {
  const headers = m.headers ?? {};
  const h = (name: string) => {
    const v = headers[name];
    return v === undefined ? undefined : String(Array.isArray(v) ? v[0] : v);
  };
  const topic = h('edumon-topic');
  const part = h('edumon-partition');
  const offset = h('edumon-offset');
  return {
    partition,
    offset: m.offset,
    timestamp: Number(m.timestamp),
    origin: topic !== undefined && part !== undefined && offset !== undefined ? { topic, partition: Number(part), offset } : null,
    reason: h('edumon-reason') ?? '',
    sha256: h('edumon-sha256') ?? '',
    bytes: m.value?.length ?? 0,
    valueDropped: h('edumon-value-dropped') !== undefined,
    key: m.key,
    value: m.value,
    headers,
  };
}

/** The reader's group holds no offsets worth keeping: remove it so that groups do not pile up. */
async function deleteGroup(kafka: Kafka, groupId: string): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.deleteGroups([groupId]);
  } catch {
    // Best effort: an empty group also expires by itself.
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

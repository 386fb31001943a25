/**
 * The pipeline's Kafka side: one consumer group over the four event topics. Each partition
 * batch is decoded, its rejects forwarded to the DLQ (at least once), then written with its next
 * offset in one warehouse transaction. The warehouse, not Kafka, holds the authoritative
 * offsets: on every assignment the consumer seeks to them, and any message below them is
 * skipped, so a crash at any point neither loses nor duplicates an event.
 */
import type { ConsumerRunConfig, EachBatchPayload, IHeaders, Kafka } from 'kafkajs';
import { type Config, topicsOf } from '../core/config.ts';
import { EdumonError } from '../core/errors.ts';
import { ensureTopics, kafkaError } from '../core/kafka.ts';
import type { Logger } from '../core/log.ts';
import type { Family } from '../ingest/contract.ts';
import type { Pseudonymize } from '../ingest/pseudonymize.ts';
import { decodeBatch } from './decodeBatch.ts';
import { forwardToDlq } from './forwardToDlq.ts';
import { GroupCommitter } from './groupCommit.ts';
import { type Sink, tpKey } from './sink.ts';

export interface PipelineStats {
  stored: number;
  duplicates: number;
  rejected: number;
  /** Partition batches written, and the transactions they were grouped into. */
  batches: number;
  transactions: number;
  /** The longest transaction write, in ms: what a stall of the sink (e.g. behind a rule sweep) would show. */
  longestWriteMs: number;
}

export interface ConsumerHandle {
  stats: PipelineStats;
  /** Rejects when the consumer has stopped for good (a non-retriable failure). */
  failure: Promise<never>;
  /** Resolves when every partition of the event topics is stored up to its end. */
  waitUntilIdle(pollMs?: number): Promise<void>;
  /** Messages fetched partitions hold beyond what the warehouse has stored, as last seen (0 before any fetch). */
  lag(): number;
  /** Finishes the batch in flight, then disconnects. */
  stop(): Promise<void>;
}

export async function startConsumer(opts: {
  config: Config;
  kafka: Kafka;
  sink: Sink;
  pseudonymize: Pseudonymize;
  log: Logger;
}): Promise<ConsumerHandle> {
  const { config, kafka, sink, pseudonymize, log } = opts;
  const topics = topicsOf(config);
  const familyOfTopic = new Map<string, Family>([
    [topics.registry, 'registry'],
    [topics.admission, 'admission'],
    [topics.enrollment, 'enrollment'],
    [topics.funding, 'funding'],
  ]);
  const eventTopics = [...familyOfTopic.keys()];
  // committed: durable in the warehouse (the truth on restart). position: next offset queued
  // for a commit; runs ahead of committed while the group commit writes.
  const committed = await sink.loadOffsets();
  const position = new Map(committed);
  // The end of each partition as the last fetch saw it: with `committed`, the backlog.
  const highWatermarks = new Map<string, bigint>();
  const stats: PipelineStats = { stored: 0, duplicates: 0, rejected: 0, batches: 0, transactions: 0, longestWriteMs: 0 };
  const committer = new GroupCommitter(sink, (r, batches, ms) => {
    stats.stored += r.stored;
    stats.duplicates += r.duplicates;
    stats.rejected += r.rejected;
    stats.batches += batches;
    stats.transactions += 1;
    stats.longestWriteMs = Math.max(stats.longestWriteMs, Math.round(ms));
  }, config.kafka.commitMaxEvents);

  const admin = kafka.admin();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  const consumer = kafka.consumer({
    groupId: config.kafka.groupId,
    maxBytesPerPartition: config.kafka.maxBytesPerPartition,
    maxBytes: config.kafka.maxBytesPerPartition * 4,
    maxWaitTimeInMs: 250,
    sessionTimeout: config.kafka.sessionTimeoutMs,
    heartbeatInterval: Math.floor(config.kafka.sessionTimeoutMs / 10),
    retry: { retries: 8, initialRetryTime: 300, maxRetryTime: 10_000 },
  });
  try {
    await admin.connect();
    await ensureTopics(admin, [...eventTopics, topics.dlq], config.kafka.partitions);
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topics: eventTopics, fromBeginning: true });
  } catch (err) {
    await Promise.allSettled([admin.disconnect(), producer.disconnect(), consumer.disconnect()]);
    throw kafkaError('cannot start the consumer', err, config.kafka.brokers);
  }

  // Seek every newly assigned partition to the warehouse's offset; batches wait for it.
  let ready: Promise<void> = Promise.resolve();
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    ready = (async () => {
      for (const [topic, partitions] of Object.entries(payload.memberAssignment)) {
        for (const partition of partitions) {
          const next = position.get(tpKey(topic, partition));
          if (next !== undefined) consumer.seek({ topic, partition, offset: next.toString() });
        }
      }
      log.info('partitions assigned', { assignment: payload.memberAssignment });
    })();
  });
  let failed!: (err: Error) => void;
  const failure = new Promise<never>((_, reject) => (failed = reject));
  failure.catch(() => undefined);
  // kafkajs never restarts the consumer after KafkaJSGroupCoordinatorNotFound, which only means
  // that no broker answered while the broker was stopping or restarting (kafkajs issues #1445,
  // #1630): restart it here as kafkajs does for retriable crashes (consumer.run reconnects;
  // a new failure comes back through CRASH), with a backoff, until the broker is back.
  let halted = false;
  let restartAttempt = 0;
  let restartTimer: NodeJS.Timeout | undefined;
  let restarting: Promise<void> = Promise.resolve();
  consumer.on(consumer.events.GROUP_JOIN, () => (restartAttempt = 0));
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (payload.restart) {
      log.warn('consumer crashed; kafkajs restarts it', { error: payload.error.message });
    } else if (!halted && brokerUnavailable(payload.error)) {
      const delay = Math.min(10_000, 500 * 2 ** restartAttempt++);
      log.warn('consumer crashed while no broker answered; restarting it', { error: payload.error.message, in_ms: delay });
      restartTimer = setTimeout(() => {
        if (halted) return;
        restarting = consumer.run(runOptions).catch((err: Error) => failed(kafkaError('the consumer stopped', err, config.kafka.brokers)));
      }, delay);
    } else {
      log.error('consumer crashed and will not restart', { error: payload.error.message });
      failed(kafkaError('the consumer stopped', payload.error, config.kafka.brokers));
    }
  });

  const lowWatermark = async (topic: string, partition: number): Promise<bigint> => {
    const offsets = await admin.fetchTopicOffsets(topic);
    return BigInt(offsets.find((o) => o.partition === partition)?.low ?? '0');
  };

  const eachBatch = async ({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload) => {
    await ready;
    if (!isRunning() || isStale() || batch.messages.length === 0) return;
    const { topic, partition } = batch;
    const key = tpKey(topic, partition);
    highWatermarks.set(key, BigInt(batch.highWatermark));
    const expected = position.get(key) ?? 0n;
    const first = BigInt(batch.messages[0]!.offset);
    if (first > expected) {
      // Kafka resumed past what the warehouse holds (e.g. a new warehouse on an old group):
      // go back, unless retention already deleted those messages.
      const low = await lowWatermark(topic, partition);
      const target = low > expected ? low : expected;
      if (first > target) {
        log.warn('rewinding to the warehouse offset', { topic, partition, from: first.toString(), to: target.toString() });
        consumer.seek({ topic, partition, offset: target.toString() });
        return;
      }
      if (target > expected) log.warn('messages deleted by retention were never stored', { topic, partition, from: expected.toString(), to: target.toString() });
    }
    const fresh = batch.messages.filter((m) => BigInt(m.offset) >= expected);
    const last = batch.messages[batch.messages.length - 1]!.offset;
    if (fresh.length > 0) {
      const decoded = decodeBatch(fresh, familyOfTopic.get(topic), pseudonymize);
      if (decoded.rejections.length > 0) {
        const byOffset = new Map(fresh.map((m) => [m.offset, m]));
        await forwardToDlq(
          producer,
          topics.dlq,
          decoded.rejections.map((r) => {
            const m = byOffset.get(r.offset.toString())!;
            const headers: IHeaders = {
              ...m.headers,
              'edumon-reason': r.reason,
              'edumon-topic': topic,
              'edumon-partition': String(partition),
              'edumon-offset': m.offset,
              'edumon-sha256': r.sha256,
            };
            return { key: m.key, value: m.value, headers };
          }),
          log,
        );
      }
      const nextOffset = BigInt(last) + 1n;
      await committer.room();
      position.set(key, nextOffset);
      // Not awaited: the next fetch is decoded while this one is written. Should the write
      // fail, the service stops; on restart it resumes from the warehouse's offsets.
      committer.commit({ topic, partition, nextOffset, ...decoded }).then(
        () => {
          if ((committed.get(key) ?? -1n) < nextOffset) committed.set(key, nextOffset);
        },
        (err: Error) => failed(new EdumonError(`warehouse write failed: ${err.message}`, { cause: err })),
      );
    }
    resolveOffset(last);
    await heartbeat();
  };

  const runOptions: ConsumerRunConfig = {
    autoCommit: true,
    autoCommitInterval: 1000,
    eachBatchAutoResolve: false,
    // Partitions are decoded concurrently; their batches meet in one group commit.
    partitionsConsumedConcurrently: config.kafka.partitionsConsumedConcurrently,
    eachBatch,
  };
  await consumer.run(runOptions);

  const isIdle = async (): Promise<boolean> => {
    for (const topic of eventTopics) {
      for (const o of await admin.fetchTopicOffsets(topic)) {
        const stored = committed.get(tpKey(topic, o.partition)) ?? BigInt(o.low);
        if (stored < BigInt(o.high)) return false;
      }
    }
    return true;
  };

  let stopping: Promise<void> | undefined;
  return {
    stats,
    failure,
    lag() {
      let behind = 0n;
      for (const [key, end] of highWatermarks) {
        const stored = committed.get(key) ?? 0n;
        if (end > stored) behind += end - stored;
      }
      return Number(behind);
    },
    async waitUntilIdle(pollMs = 300) {
      for (;;) {
        try {
          if (await isIdle()) return;
        } catch (err) {
          log.debug('offset check failed, retrying', { error: (err as Error).message });
        }
        await new Promise((r) => setTimeout(r, pollMs));
      }
    },
    stop() {
      stopping ??= (async () => {
        halted = true;
        clearTimeout(restartTimer);
        await restarting;
        await consumer.disconnect();
        await committer.idle();
        await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
      })();
      return stopping;
    },
  };
}

/** Whether a crash only says that no broker could be reached (see the CRASH handler). */
function brokerUnavailable(err: unknown): boolean {
  for (let e = err as { name?: string; cause?: unknown } | undefined, depth = 0; e && depth < 10; e = e.cause as typeof e, depth++) {
    if (e.name === 'KafkaJSGroupCoordinatorNotFound') return true;
  }
  return false;
}

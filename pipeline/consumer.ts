/**
 * The pipeline's Kafka side: one consumer group over the four event topics. Each partition
 * batch is decoded, its rejects forwarded to the DLQ (at least once), then written with its next
 * offset in one warehouse transaction. The warehouse, not Kafka, holds the authoritative
 * offsets: on every assignment the consumer seeks each partition to them (a partition the
 * warehouse has never stored from starts at its earliest offset), any message below them is
 * skipped, and the group's offsets in Kafka are only ever set to what the warehouse already holds
 * (for monitoring tools; edumon never reads them). So a crash at any point, the first second
 * included, neither loses nor duplicates an event.
 */
import type { ConsumerRunConfig, EachBatchPayload, IHeaders, Kafka } from 'kafkajs';
import type { Config } from '../core/config.ts';
import { EdumonError, messageOf } from '../core/errors.ts';
import { ensureTopics, kafkaError } from '../core/kafka.ts';
import type { Logger } from '../core/log.ts';
import { type Family, familyByTopic, topicConfigsOf, topicsOf } from '../domain/topics.ts';
import type { Pseudonymize } from '../ingest/pseudonymize.ts';
import { decodeBatch, rejectionOf } from './decodeBatch.ts';
import { forwardToDlq } from './forwardToDlq.ts';
import { GroupCommitter } from './groupCommit.ts';
import { type PackedMessage, packMessages } from './packedMessages.ts';
import { fromTpKey, type Rejection, type Sink, tpKey, type WriteResult } from './sink.ts';
import { writeErrorLine } from './writeErrors.ts';

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
  /**
   * Resolves when nothing is left to read: every partition of the event topics is stored up to its
   * last stable offset (transaction markers and aborted records count as read). Rejects if the
   * consumer stops first.
   */
  waitUntilIdle(pollMs?: number): Promise<void>;
  /**
   * Offsets this consumer's partitions (every partition of the event topics before the first
   * assignment) hold beyond what the warehouse has stored, as of the last check (about every second).
   */
  lag(): number;
  /**
   * The partitions (`topic:partition`) of this consumer holding offsets beyond what the warehouse
   * has stored, with the ends fetched by this call (`endsRead`; the last known ends if the broker
   * does not answer): a feed's watermark waits for the ones that carry it.
   */
  laggingPartitions(): Promise<{ lagging: Set<string>; endsRead: boolean }>;
  /** What readiness asks of ingestion (service/health.ts). */
  health(): ConsumerHealth;
  /** lag() by partition: offsets each holds beyond what the warehouse has stored, as of the last check. */
  lagByPartition(): Array<{ topic: string; partition: number; lag: number }>;
  /** Finishes the batch in flight, then disconnects. */
  stop(): Promise<void>;
}

/** Ingestion's side of readiness: when the broker last answered, and whether writes fail. */
export interface ConsumerHealth {
  /** When (epoch ms) the broker last answered the once-a-second check of the partitions' ends; null before the first answer. */
  brokerAnsweredAt: number | null;
  /** The last warehouse write's error while it is being retried; null once a write succeeds. */
  writeFailing: string | null;
  /** Why the consumer stopped for good, or null while it runs. */
  stopped: string | null;
}

export async function startConsumer(opts: {
  config: Config;
  kafka: Kafka;
  sink: Sink;
  pseudonymize: Pseudonymize;
  log: Logger;
  /** Called when a warehouse write failed for a reason other than its data, before it is retried. */
  onWriteRetry?: () => void;
  /** Called once a batch with events of a topic family is committed (the admission rules run on it in season). */
  onStored?: (family: Family) => void;
  /** Called after each warehouse transaction with what it added and how long it took, in ms (the service's metrics). */
  onCommitted?: (r: WriteResult, ms: number) => void;
}): Promise<ConsumerHandle> {
  const { config, kafka, sink, pseudonymize, log } = opts;
  const topics = topicsOf(config);
  const familyOfTopic = familyByTopic(config);
  const eventTopics = [...familyOfTopic.keys()];
  // committed: durable in the warehouse (the truth on restart). position: next offset queued
  // for a commit; runs ahead of committed while the group commit writes.
  const committed = await sink.loadOffsets();
  const position = new Map(committed);
  // Each partition's first offset and its end (last stable offset: what a read-committed
  // consumer can read), refreshed about every second: with `committed`, the backlog.
  const lows = new Map<string, bigint>();
  const ends = new Map<string, bigint>();
  // Partitions assigned to this member; undefined until the first assignment (then: all).
  let assigned: Set<string> | undefined;
  const stats: PipelineStats = { stored: 0, duplicates: 0, rejected: 0, batches: 0, transactions: 0, longestWriteMs: 0 };
  let brokerAnsweredAt: number | null = null;
  let writeFailing: string | null = null;
  let stoppedBecause: string | null = null;
  const committer = new GroupCommitter(
    sink,
    (r, batches, ms) => {
      writeFailing = null;
      opts.onCommitted?.(r, ms);
      stats.stored += r.stored;
      stats.duplicates += r.duplicates;
      stats.rejected += r.rejected;
      stats.batches += batches;
      stats.transactions += 1;
      stats.longestWriteMs = Math.max(stats.longestWriteMs, Math.round(ms));
    },
    {
      maxEvents: config.kafka.commitMaxEvents,
      retries: config.kafka.writeRetries,
      retryBackoffMs: config.kafka.writeRetryBackoffMs,
      onRetry: (err, attempt, delayMs) => {
        writeFailing = writeErrorLine(err);
        log.warn('warehouse write failed; retrying', { error: writeFailing, attempt, of: config.kafka.writeRetries, in_ms: delayMs });
        opts.onWriteRetry?.();
      },
    },
  );

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
    await ensureTopics(admin, [...eventTopics, topics.dlq], config.kafka.partitions, topicConfigsOf(config));
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topics: eventTopics, fromBeginning: true });
  } catch (err) {
    await Promise.allSettled([admin.disconnect(), producer.disconnect(), consumer.disconnect()]);
    throw kafkaError('cannot start the consumer', err, config.kafka.brokers);
  }

  // On every assignment, seek each assigned partition to the warehouse's offset, or to its
  // earliest offset (as last refreshed; offset 0 if unknown, which Kafka resets to the earliest)
  // if the warehouse holds nothing from it yet. Synchronous: no batch is handled before it.
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    const mine = new Set<string>();
    try {
      for (const [topic, partitions] of Object.entries(payload.memberAssignment)) {
        if (!familyOfTopic.has(topic)) continue;
        for (const partition of partitions) {
          const key = tpKey(topic, partition);
          mine.add(key);
          const next = expectedOf(key);
          consumer.seek({ topic, partition, offset: next.toString() });
        }
      }
    } catch (err) {
      // The consumer crashed or stopped meanwhile: its CRASH handler or stop() takes it from here.
      log.warn('could not seek the assigned partitions', { error: (err as Error).message });
      return;
    }
    assigned = mine;
    log.info('partitions assigned', { assignment: payload.memberAssignment });
  });
  let fail!: (err: Error) => void;
  let dead = false;
  const failure = new Promise<never>((_, reject) => (fail = reject));
  failure.catch(() => undefined);
  const failed = (err: Error) => {
    dead = true;
    stoppedBecause ??= messageOf(err);
    fail(err);
  };
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

  /**
   * Refreshes a topic's partitions' first offsets and ends (last stable offsets). A topic just
   * created may have no partition leader for a moment (NOT_LEADER_FOR_PARTITION,
   * LEADER_NOT_AVAILABLE: errors kafkajs marks retriable but its admin does not retry here): tried
   * again with a backoff for up to about 30 s, so `edumon run` starting beside a new topic does
   * not die of it.
   */
  const refreshTopic = async (topic: string): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      try {
        for (const o of await admin.fetchTopicOffsets(topic)) {
          lows.set(tpKey(topic, o.partition), BigInt(o.low));
          ends.set(tpKey(topic, o.partition), BigInt(o.high));
        }
        return;
      } catch (err) {
        if (attempt >= 8 || (err as { retriable?: boolean }).retriable !== true) throw err;
        const delay = Math.min(8000, 100 * 2 ** attempt);
        log.debug('partition offsets not available yet; retrying', { topic, error: messageOf(err), in_ms: delay });
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  };
  /**
   * The next offset a partition's batch must start at: what is queued for the warehouse, else
   * the partition's first offset (0 if not known yet, which Kafka resets to its earliest).
   */
  const expectedOf = (key: string): bigint => position.get(key) ?? lows.get(key) ?? 0n;
  const refreshOffsets = async () => {
    for (const topic of eventTopics) await refreshTopic(topic);
    brokerAnsweredAt = Date.now();
  };
  /** Offsets of these partitions not yet stored in the warehouse. */
  const backlog = (keys: Iterable<string>): bigint => {
    let behind = 0n;
    for (const key of keys) {
      const end = ends.get(key) ?? 0n;
      const stored = committed.get(key) ?? lows.get(key) ?? 0n;
      if (end > stored) behind += end - stored;
    }
    return behind;
  };

  /** The DLQ copy of a rejected message: the original key, value and headers, plus where and why. */
  const dlqItem = (topic: string, partition: number, m: PackedMessage, r: Rejection) => {
    const headers: IHeaders = {
      ...m.headers,
      'edumon-reason': r.reason,
      'edumon-topic': topic,
      'edumon-partition': String(partition),
      'edumon-offset': m.offset,
      'edumon-sha256': r.sha256,
    };
    return { key: m.key, value: m.value, headers };
  };

  /** Queues a partition's progress for the warehouse; a failed write stops the consumer. */
  const queue = (key: string, batch: Parameters<GroupCommitter['commit']>[0]) => {
    position.set(key, batch.nextOffset);
    committer.commit(batch).then(
      () => {
        if ((committed.get(key) ?? -1n) < batch.nextOffset) committed.set(key, batch.nextOffset);
        if (batch.events.length && opts.onStored) opts.onStored(familyOfTopic.get(batch.topic)!);
      },
      (err: Error) => failed(new EdumonError(err.message, { cause: err })),
    );
  };

  // Batches being handled: stop() waits for them before its last offset commit.
  let inHand = 0;
  const eachBatch = async (payload: EachBatchPayload) => {
    inHand++;
    try {
      await handleBatch(payload);
    } finally {
      inHand--;
    }
  };
  const handleBatch = async ({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload) => {
    if (halted || !isRunning() || isStale() || batch.messages.length === 0) return;
    const { topic, partition } = batch;
    const key = tpKey(topic, partition);
    const expected = expectedOf(key);
    // The fetch's first offset, counting transaction markers and aborted records kafkajs hides.
    const first = BigInt(batch.firstOffset() ?? batch.messages[0]!.offset);
    if (first > expected) {
      // Kafka resumed past what the warehouse holds: go back, unless retention deleted those messages.
      await refreshTopic(topic);
      const low = lows.get(key) ?? 0n;
      const target = low > expected ? low : expected;
      if (first > target) {
        log.warn('rewinding to the warehouse offset', { topic, partition, from: first.toString(), to: target.toString() });
        consumer.seek({ topic, partition, offset: target.toString() });
        return;
      }
      if (target > expected)
        log.warn('messages deleted by retention were never stored', { topic, partition, from: expected.toString(), to: target.toString() });
    }
    // Past the last record fetched, markers and aborted records included: they are read too.
    const last = batch.lastOffset();
    const nextOffset = BigInt(last) + 1n;
    if (nextOffset > expected) {
      const fresh = batch.messages.filter((m) => BigInt(m.offset) >= expected);
      const decoded = decodeBatch(fresh, familyOfTopic.get(topic), pseudonymize);
      // Kept until the batch commits, for an event the warehouse refuses; not the fetch's buffers.
      const originals = packMessages(fresh);
      const toDlq = (rejections: Rejection[]) =>
        forwardToDlq(
          producer,
          topics.dlq,
          rejections.map((r) => dlqItem(topic, partition, originals(r.offset.toString())!, r)),
          log,
        );
      if (decoded.rejections.length > 0) await toDlq(decoded.rejections);
      await committer.room();
      // Not awaited: the next fetch is decoded while this one is written.
      queue(key, {
        topic,
        partition,
        nextOffset,
        ...decoded,
        reject: async (refused) => {
          const rejections = refused.map((r) => rejectionOf(originals(r.offset.toString())!, r.reason));
          log.warn('the warehouse refused events; rejected them to the DLQ', { topic, partition, offsets: refused.map((r) => r.offset.toString()) });
          await toDlq(rejections);
          return rejections;
        },
      });
    }
    resolveOffset(last);
    await heartbeat();
  };

  // A fetch of nothing but transaction markers or aborted records never reaches eachBatch;
  // kafkajs skips past it, and the warehouse must too, or the partition never looks caught up.
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    if (payload.batchSize !== 0 || payload.firstOffset === null || halted) return;
    const key = tpKey(payload.topic, payload.partition);
    const expected = expectedOf(key);
    const nextOffset = BigInt(payload.lastOffset) + 1n;
    if (BigInt(payload.firstOffset) <= expected && nextOffset > expected) {
      queue(key, { topic: payload.topic, partition: payload.partition, nextOffset, events: [], rejections: [] });
    }
  });

  const runOptions: ConsumerRunConfig = {
    // Kafka's group offsets never lead: they are set from the warehouse's (publishGroupOffsets).
    autoCommit: false,
    eachBatchAutoResolve: false,
    // Partitions are decoded concurrently; their batches meet in one group commit.
    partitionsConsumedConcurrently: config.kafka.partitionsConsumedConcurrently,
    eachBatch,
  };
  await refreshOffsets();
  await consumer.run(runOptions);

  // The group's offsets in Kafka mirror what the warehouse holds, for monitoring tools.
  const published = new Map<string, bigint>();
  const publishGroupOffsets = async () => {
    const changed = [...committed].filter(([key, next]) => published.get(key) !== next && (assigned?.has(key) ?? false));
    if (changed.length === 0) return;
    await consumer.commitOffsets(changed.map(([key, next]) => ({ ...fromTpKey(key), offset: next.toString() })));
    for (const [key, next] of changed) published.set(key, next);
  };
  let ticking = false;
  const ticker = setInterval(() => {
    if (ticking || halted) return;
    ticking = true;
    Promise.allSettled([refreshOffsets(), publishGroupOffsets()])
      .then((results) => {
        for (const r of results) if (r.status === 'rejected') log.debug('offset refresh failed', { error: messageOf(r.reason) });
      })
      .catch(() => {
        // Only the logging above can throw (allSettled never rejects). Unhandled, that rejection
        // would end the process; the logger has failed, so there is nowhere left to report it.
      })
      .finally(() => {
        ticking = false;
      });
  }, 1000);
  ticker.unref();

  let stopping: Promise<void> | undefined;
  return {
    stats,
    failure,
    lag() {
      return Number(backlog(assigned ?? ends.keys()));
    },
    health: () => ({ brokerAnsweredAt, writeFailing, stopped: stoppedBecause }),
    lagByPartition: () => [...(assigned ?? ends.keys())].map((key) => ({ ...fromTpKey(key), lag: Number(backlog([key])) })),
    async laggingPartitions() {
      // Ends fetched now, not at the last one-second refresh: a partition reported caught up holds
      // every message published before this call (the rule sweeps rely on it, service/ruleSweeps.ts).
      const endsRead = await refreshOffsets().then(
        () => true,
        (err: unknown) => {
          log.debug('partition ends not refreshed; the last known ones are used', { error: messageOf(err) });
          return false;
        },
      );
      const lagging = new Set<string>();
      for (const key of assigned ?? ends.keys()) {
        if (backlog([key]) === 0n) continue;
        const { topic, partition } = fromTpKey(key);
        lagging.add(`${topic}:${partition}`);
      }
      return { lagging, endsRead };
    },
    async waitUntilIdle(pollMs = 300) {
      for (;;) {
        if (halted || dead) throw new EdumonError('the consumer stopped before it caught up');
        try {
          await refreshOffsets();
          if (backlog(ends.keys()) === 0n) return;
        } catch (err) {
          log.debug('offset check failed, retrying', { error: (err as Error).message });
        }
        await new Promise((r) => setTimeout(r, pollMs));
      }
    },
    stop() {
      stopping ??= (async () => {
        halted = true;
        clearInterval(ticker);
        clearTimeout(restartTimer);
        await restarting;
        // Fetch nothing more, let the batches in hand finish and commit, and leave the group's
        // offsets equal to the warehouse's while still a member, then leave.
        try {
          consumer.pause(eventTopics.map((topic) => ({ topic })));
        } catch {
          // Not running (it crashed, or never joined): nothing is being fetched.
        }
        committer.stopRetrying();
        while (inHand > 0) await new Promise((r) => setTimeout(r, 20));
        await committer.idle();
        await publishGroupOffsets().catch((err: Error) => log.debug('could not set the group offsets', { error: err.message }));
        await consumer.disconnect();
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

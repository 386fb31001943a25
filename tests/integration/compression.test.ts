/**
 * Compressed batches from real producers reach the warehouse. For each codec Kafka producers
 * use (gzip, snappy, lz4, zstd), the stock Java producer (kafka-clients) and kafkajs publish
 * valid contract events compressed with it, and `edumon run --until-idle` stores every one. A
 * batch whose codec edumon lacks stops the consumer with an error that says where the batch is,
 * instead of kafkajs retrying it forever. Also checks the Java producer helper's transactions,
 * which other tests rely on. Real JVMs, a real broker and real DuckDB files.
 */
import { createRequire } from 'node:module';
import { CompressionTypes } from 'kafkajs';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerCodecs } from '../../core/codecs.ts';
import { ensureTopics } from '../../core/kafka.ts';
import { createLogger } from '../../core/log.ts';
import { type ContractEvent, familyOf, messageKey } from '../../domain/contract.ts';
import { eventTopicsOf, topicsOf } from '../../domain/topics.ts';
import { startService } from '../../service/run.ts';
import { validEvents } from '../fixtures/events.ts';
import { runEdumon } from '../helpers/cli.ts';
import { type JavaCompression, type JavaRecord, javaProduce } from '../helpers/javaProducer.ts';
import { testKafka } from '../helpers/kafka.ts';
import { type TestEnv, testEnv } from '../helpers/testEnv.ts';
import { queryWarehouse, storedEventIds } from '../helpers/warehouse.ts';

type Codec = { decompress(buffer: Buffer): Promise<Buffer> };
const require = createRequire(import.meta.url);
/** kafkajs's codec table (Node's ESM view of kafkajs does not export it). */
const codecTable = require('kafkajs').CompressionCodecs as Record<number, () => Codec>;

const kafka = testKafka();
beforeAll(() => registerCodecs());

const CODECS: Array<[JavaCompression, CompressionTypes]> = [
  ['gzip', CompressionTypes.GZIP],
  ['snappy', CompressionTypes.Snappy],
  ['lz4', CompressionTypes.LZ4],
  ['zstd', CompressionTypes.ZSTD],
];

async function createEventTopics(t: TestEnv): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, Object.values(topicsOf(t.config)), t.config.kafka.partitions);
  } finally {
    await admin.disconnect();
  }
}

/** An event as edumon's publisher sends it: on its family's topic, keyed by school or region. */
function recordOf(t: TestEnv, e: ContractEvent): JavaRecord & { topic: string; key: string; value: string } {
  return { topic: topicsOf(t.config)[familyOf[e.type]], key: messageKey(e), value: JSON.stringify(e) };
}

async function publishWithKafkajs(records: Array<{ topic: string; key: string; value: string }>, compression: CompressionTypes): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    // Several sends, so that partitions hold several compressed batches each.
    for (let i = 0; i < 4; i++) {
      const byTopic = new Map<string, Array<{ key: string; value: string }>>();
      for (const { topic, key, value } of records.filter((_, j) => j % 4 === i)) byTopic.set(topic, [...(byTopic.get(topic) ?? []), { key, value }]);
      await producer.sendBatch({ topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })), compression, acks: -1 });
    }
  } finally {
    await producer.disconnect();
  }
}

/** Reads every event topic to its end in this process and counts the batches `codecId` decompresses. */
async function batchesDecompressed(t: TestEnv, codecId: number, expectedMessages: number): Promise<number> {
  const factory = codecTable[codecId]!;
  let batches = 0;
  codecTable[codecId] = () => {
    const codec = factory();
    return {
      ...codec,
      decompress: (b: Buffer) => {
        batches++;
        return codec.decompress(b);
      },
    };
  };
  const consumer = kafka.consumer({ groupId: `${t.config.kafka.groupId}-reader`, maxWaitTimeInMs: 100 });
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: eventTopicsOf(t.config), fromBeginning: true });
    let read = 0;
    let done!: () => void;
    const all = new Promise<void>((resolve) => (done = resolve));
    await consumer.run({
      eachBatch: async ({ batch }) => {
        read += batch.messages.length;
        if (read >= expectedMessages) done();
      },
    });
    await Promise.race([all, new Promise((r) => setTimeout(r, 30_000))]);
    expect(read).toBe(expectedMessages);
    return batches;
  } finally {
    await consumer.disconnect();
    codecTable[codecId] = factory;
  }
}

describe('compressed batches from real producers reach the warehouse', () => {
  it.each(CODECS)(
    '%s: every event that the stock Java producer and kafkajs publish compressed is stored by `edumon run --until-idle`',
    async (codec, codecId) => {
      const t = testEnv(`codec-${codec}`);
      await createEventTopics(t);
      const fromJava = validEvents(300, 21).map((e) => recordOf(t, e));
      const fromKafkajs = validEvents(300, 22).map((e) => recordOf(t, e));

      const sent = await javaProduce(fromJava, { compression: codec });
      expect(sent.sent).toBe(300);
      // The Java producer really used the codec (kafkajs does whenever it is asked to).
      expect(await batchesDecompressed(t, codecId, 300)).toBeGreaterThan(0);
      await publishWithKafkajs(fromKafkajs, codecId);

      const r = await runEdumon(['run', '--until-idle'], t.env);
      expect(r.code, r.output).toBe(0);
      expect(r.stdout).toContain('stored 600 events, 0 duplicates skipped, 0 rejected');
      const ids = [...fromJava, ...fromKafkajs].map((m) => (JSON.parse(m.value) as ContractEvent).event_id);
      expect(await storedEventIds(t.config.warehouse)).toEqual(ids.sort());
      const [rejected] = await queryWarehouse<{ n: number }>(t.config.warehouse, 'select count(*)::int as n from rejections');
      expect(rejected!.n).toBe(0);
    },
  );

  const { KafkaJSNotImplemented } = require('kafkajs/src/errors.js') as { KafkaJSNotImplemented: new (m: string) => Error };
  const missing = () => () => {
    throw new KafkaJSNotImplemented('LZ4 compression not implemented');
  };
  const truncating = (ours: () => Codec) => () => ({ decompress: (b: Buffer) => ours().decompress(b.subarray(0, b.length - 8)) });
  const BROKEN: Array<[string, (ours: () => Codec) => () => Codec, RegExp]> = [
    // What kafkajs 2.2.4 does for lz4 without a registered codec: its own lookup throws this.
    ['whose codec edumon lacks', missing, /: LZ4 compression not implemented$/],
    // Real lz4 bytes, cut short on their way to the real codec, as a corrupt batch would be.
    ['whose bytes fail to decompress', truncating, /: \S/],
  ];

  it.each(BROKEN)('a batch %s stops the consumer, soon, with an error naming its topic, partition, offsets and codec', async (_case, broken, reason) => {
    const t = testEnv('codec-broken');
    await createEventTopics(t);
    const registry = topicsOf(t.config).registry;
    const events = validEvents(12, 23).filter((e) => familyOf[e.type] === 'registry');
    await javaProduce(
      events.map((e) => ({ ...recordOf(t, e), partition: 2 })),
      { compression: 'lz4', props: { 'linger.ms': '500' } },
    );

    const ours = codecTable[CompressionTypes.LZ4]!;
    codecTable[CompressionTypes.LZ4] = broken(ours);
    const service = await startService(t.config, createLogger({ level: 'error', write: () => undefined }));
    try {
      const outcome = await Promise.race([
        service.failure.catch((err: Error) => err),
        // (A consumer that has stopped may also end waitUntilIdle with an error: not the one looked for.)
        service.waitUntilIdle().then(
          () => new Error('stored a batch it cannot have decompressed'),
          (err: Error) => err,
        ),
        new Promise<Error>((r) => setTimeout(() => r(new Error('no failure within 30 s: kafkajs is retrying')), 30_000)),
      ]);
      expect(outcome.message).toMatch(
        new RegExp(
          `cannot decompress the lz4 record batch of topic ${registry.replaceAll('.', '\\.')} partition 2 at offset 0 ` +
            `\\(offsets 0\\.\\.${events.length - 1}\\): `,
        ),
      );
      expect(outcome.message).toMatch(reason);
    } finally {
      codecTable[CompressionTypes.LZ4] = ours;
      await service.stop();
    }
  });
});

describe('the Java producer helper', () => {
  it('writes transactions: a read_committed consumer gets the committed records, not those of aborted transactions', async () => {
    const topic = `java-tx-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1, replicationFactor: 1 }] });

    // 7 transactions of 5; the 3rd and 6th are aborted, the last one is committed.
    const records = Array.from({ length: 35 }, (_, i) => ({ key: `k${i % 3}`, value: `record-${i}` }));
    const result = await javaProduce(records, { topic, compression: 'lz4', transactional: { size: 5, abortEvery: 3 } });
    expect(result).toEqual({ sent: 35, transactions: 7, aborted: [10, 11, 12, 13, 14, 25, 26, 27, 28, 29] });
    // The aborted records are in the log: 35 records and 7 commit or abort markers.
    const [offsets] = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    expect(offsets!.high).toBe('42');

    const consumer = kafka.consumer({ groupId: `${topic}-reader`, maxWaitTimeInMs: 100 }); // read_committed by default
    const seen: Array<{ key: string; value: string }> = [];
    let done!: () => void;
    const last = new Promise<void>((resolve) => (done = resolve));
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen.push({ key: message.key!.toString(), value: message.value!.toString() });
        if (message.value!.toString() === 'record-34') done();
      },
    });
    await Promise.race([last, new Promise((r) => setTimeout(r, 30_000))]);
    await consumer.disconnect();
    expect(seen).toEqual(records.filter((_, i) => !result.aborted.includes(i)));
  });
});

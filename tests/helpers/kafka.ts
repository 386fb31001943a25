/** Raw Kafka access for tests: publish arbitrary bytes (malformed included), read a topic back. */
import { Kafka, logLevel } from 'kafkajs';

export interface RawMessage {
  topic: string;
  key: string;
  value: Buffer;
  partition?: number;
}

export function testKafka(brokers = ['127.0.0.1:9092']): Kafka {
  return new Kafka({ clientId: 'edumon-test', brokers, logLevel: logLevel.NOTHING, retry: { retries: 10 } });
}

export async function publishRaw(kafka: Kafka, messages: RawMessage[], chunk = 5000): Promise<void> {
  // Idempotent: a send retried after a slow acknowledgement must not put a message in twice, or a
  // test counting rejections or offsets sees two (a CI run did: the same bad record at two offsets).
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += chunk) {
      const byTopic = new Map<string, Array<{ key: string; value: Buffer; partition?: number }>>();
      for (const m of messages.slice(i, i + chunk)) {
        const list = byTopic.get(m.topic) ?? [];
        list.push(m.partition === undefined ? { key: m.key, value: m.value } : { key: m.key, value: m.value, partition: m.partition });
        byTopic.set(m.topic, list);
      }
      await producer.sendBatch({ topicMessages: [...byTopic].map(([topic, msgs]) => ({ topic, messages: msgs })), acks: -1 });
    }
  } finally {
    await producer.disconnect();
  }
}

export interface ReadMessage {
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/** Reads a topic from the beginning until `until` holds for what was read, or the time runs out. */
export async function readTopic(kafka: Kafka, topic: string, until: (msgs: ReadMessage[]) => boolean, timeoutMs = 30_000): Promise<ReadMessage[]> {
  const consumer = kafka.consumer({ groupId: `reader-${Date.now()}-${Math.random()}`, maxWaitTimeInMs: 200 });
  const msgs: ReadMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
      msgs.push({ partition, offset: message.offset, key: message.key?.toString() ?? null, value: message.value, headers });
      if (until(msgs)) done();
    },
  });
  await Promise.race([finished, new Promise((r) => setTimeout(r, timeoutMs))]);
  await consumer.disconnect();
  return msgs;
}

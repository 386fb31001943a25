/** Connects a producer for the event topics, creating the topics (and edu.dlq) if they are missing. */
import type { Admin, Kafka, Producer } from 'kafkajs';
import type { Config } from '../core/config.ts';
import { ensureTopics, kafkaError } from '../core/kafka.ts';
import { eventTopicsOf, topicConfigsOf, topicsOf } from '../domain/topics.ts';

export async function openProducer(config: Config, kafka: Kafka): Promise<{ admin: Admin; producer: Producer }> {
  const admin = kafka.admin();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  try {
    await admin.connect();
    const t = topicsOf(config);
    await ensureTopics(admin, [...eventTopicsOf(config), t.dlq], config.kafka.partitions, topicConfigsOf(config));
    await producer.connect();
  } catch (err) {
    await Promise.allSettled([admin.disconnect(), producer.disconnect()]);
    throw kafkaError('cannot connect to Kafka', err, config.kafka.brokers);
  }
  return { admin, producer };
}

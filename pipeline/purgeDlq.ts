/**
 * Deletes DLQ records for good (Kafka DeleteRecords): a prefix of each partition, since Kafka
 * deletes nothing else. By default everything now in the DLQ; or through given offsets.
 */
import type { Kafka } from 'kafkajs';
import type { Config } from '../core/config.ts';
import { EdumonError, UsageError } from '../core/errors.ts';
import { kafkaError } from '../core/kafka.ts';
import { topicsOf } from '../domain/topics.ts';

/** Records of one DLQ partition that a purge deletes: offsets from `low` up to (not including) `before`. */
export interface PurgePlan {
  partition: number;
  low: bigint;
  before: bigint;
}

/**
 * What a purge would delete: every partition up to its end, or, for the partitions in `through`
 * (partition -> last offset to delete), up to that offset included. Nothing is deleted.
 */
export async function planPurge(config: Config, kafka: Kafka, through?: Map<number, bigint>): Promise<PurgePlan[]> {
  const topic = topicsOf(config).dlq;
  const admin = kafka.admin();
  try {
    await admin.connect();
    if (!(await admin.listTopics()).includes(topic)) return [];
    const offsets = await admin.fetchTopicOffsets(topic);
    if (through) {
      const unknown = [...through.keys()].filter((p) => !offsets.some((o) => o.partition === p));
      if (unknown.length) throw new UsageError(`${topic} has no partition ${unknown.join(', ')}`);
    }
    return offsets
      .map((o) => {
        const low = BigInt(o.low);
        const high = BigInt(o.high);
        const last = through ? through.get(o.partition) : high - 1n;
        const before = last === undefined ? low : last + 1n < high ? last + 1n : high;
        return { partition: o.partition, low, before: before > low ? before : low };
      })
      .filter((p) => p.before > p.low);
  } catch (err) {
    throw err instanceof EdumonError ? err : kafkaError(`cannot read the offsets of ${topic}`, err, config.kafka.brokers);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Deletes what the plan lists; returns how many records that was. */
export async function purgeDlq(config: Config, kafka: Kafka, plan: PurgePlan[]): Promise<bigint> {
  if (plan.length === 0) return 0n;
  const topic = topicsOf(config).dlq;
  const admin = kafka.admin();
  try {
    await admin.connect();
    // kafkajs's deleteTopicRecords finds the partition leaders in metadata it does not load itself.
    await admin.fetchTopicMetadata({ topics: [topic] });
    await admin.deleteTopicRecords({ topic, partitions: plan.map((p) => ({ partition: p.partition, offset: p.before.toString() })) });
  } catch (err) {
    throw kafkaError(`cannot delete records of ${topic}`, err, config.kafka.brokers);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  return plan.reduce((n, p) => n + (p.before - p.low), 0n);
}

/**
 * Sends DLQ records back to the topic they were rejected from, so that `edumon run` validates them
 * again: the original key and value (or a fixed value), the original headers without edumon's, and
 * `edumon-replayed-from` naming the DLQ record. A replay that is still bad lands in the DLQ again.
 */
import type { IHeaders, Kafka } from 'kafkajs';
import type { Config } from '../core/config.ts';
import { EdumonError } from '../core/errors.ts';
import { kafkaError } from '../core/kafka.ts';
import { topicsOf } from '../domain/topics.ts';
import type { DlqRecord } from './readDlq.ts';

export interface Replayed {
  record: DlqRecord;
  /** Where the replay was written. */
  topic: string;
  partition: number;
  offset: string;
}

/** Publishes each record to its original topic (with `value` instead of its own, if given); all or none are checked first. */
export async function replayDlq(config: Config, kafka: Kafka, records: DlqRecord[], value?: Buffer): Promise<Replayed[]> {
  const dlq = topicsOf(config).dlq;
  for (const r of records) {
    if (!r.origin)
      throw new EdumonError(`${dlq} ${r.partition}:${r.offset} has no edumon-topic header: edumon did not put it there, so it has no topic to go back to`);
    if (r.valueDropped && !value) throw new EdumonError(`${dlq} ${r.partition}:${r.offset} lost its value (too large for the DLQ): replay it with --from-file`);
  }
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  const out: Replayed[] = [];
  try {
    await producer.connect();
    for (const r of records) {
      const headers: IHeaders = Object.fromEntries(Object.entries(r.headers).filter(([k]) => !k.startsWith('edumon-')));
      headers['edumon-replayed-from'] = `${dlq}:${r.partition}:${r.offset}`;
      const [meta] = await producer.send({ topic: r.origin!.topic, acks: -1, messages: [{ key: r.key, value: value ?? r.value, headers }] });
      out.push({ record: r, topic: r.origin!.topic, partition: meta?.partition ?? -1, offset: meta?.baseOffset ?? '?' });
    }
  } catch (err) {
    throw kafkaError(`replay stopped after ${out.length} of ${records.length} message(s)`, err, config.kafka.brokers);
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
  return out;
}

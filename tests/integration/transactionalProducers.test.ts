/**
 * CONTRACT: events from transactional producers are stored once they commit and never if they
 * abort, and `run --until-idle` ends: the commit and abort markers Kafka writes between records
 * (and aborted records, which a read-committed consumer never sees) count as read, so the stored
 * next offset reaches each partition's end.
 */
import type { Kafka } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { type ContractEvent, familyOf, messageKey } from '../../domain/contract.ts';
import { eventTopicsOf, topicsOf } from '../../domain/topics.ts';
import { validEvents } from '../fixtures/events.ts';
import { runEdumonWithin } from '../helpers/cli.ts';
import { javaProduce } from '../helpers/javaProducer.ts';
import { testKafka } from '../helpers/kafka.ts';
import { type TestEnv, testEnv } from '../helpers/testEnv.ts';
import { queryWarehouse, storedEventIds } from '../helpers/warehouse.ts';

const kafka = testKafka();

/** Sends the events in one transaction per `perTransaction` events, committing or aborting each. */
async function sendInTransactions(k: Kafka, t: TestEnv, events: ContractEvent[], perTransaction: number, outcome: 'commit' | 'abort'): Promise<void> {
  const topics = topicsOf(t.config);
  const producer = k.producer({ transactionalId: `${t.config.kafka.groupId}-producer`, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    for (let i = 0; i < events.length; i += perTransaction) {
      const tx = await producer.transaction();
      const byTopic = new Map<string, Array<{ key: string; value: string }>>();
      for (const e of events.slice(i, i + perTransaction)) {
        const topic = topics[familyOf[e.type]];
        byTopic.set(topic, [...(byTopic.get(topic) ?? []), { key: messageKey(e), value: JSON.stringify(e) }]);
      }
      await tx.sendBatch({ topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
      await (outcome === 'commit' ? tx.commit() : tx.abort());
    }
  } finally {
    await producer.disconnect();
  }
}

/** Each partition's stored next offset and its end (last stable offset), for every event topic. */
async function offsetsVersusEnds(t: TestEnv): Promise<Array<{ partition: string; stored: string | undefined; end: string }>> {
  const rows = await queryWarehouse<{ topic: string; partition: number; next_offset: string }>(
    t.config.warehouse,
    `select topic, "partition" as partition, next_offset::varchar as next_offset from ingest_offsets`,
  );
  const stored = new Map(rows.map((r) => [`${r.topic}/${r.partition}`, r.next_offset]));
  const admin = kafka.admin();
  await admin.connect();
  try {
    const out = [];
    for (const name of eventTopicsOf(t.config)) {
      for (const o of await admin.fetchTopicOffsets(name)) {
        if (o.high === '0') continue;
        out.push({ partition: `${name}/${o.partition}`, stored: stored.get(`${name}/${o.partition}`), end: o.high });
      }
    }
    return out;
  } finally {
    await admin.disconnect();
  }
}

describe('a transactional producer (kafkajs)', () => {
  const t = testEnv('txn');
  const committed = validEvents(360, 31);
  const aborted = validEvents(60, 32).map((e) => ({ ...e, event_id: `aborted-${e.event_id}` }));

  it('stores committed transactions, never aborted ones, and --until-idle ends with every partition read to its end', async () => {
    await sendInTransactions(kafka, t, committed.slice(0, 120), 40, 'commit');
    await sendInTransactions(kafka, t, aborted.slice(0, 30), 30, 'abort');
    await sendInTransactions(kafka, t, committed.slice(120), 40, 'commit');
    const r = await runEdumonWithin(['run', '--until-idle'], t.env, 90_000);
    expect(r.code, r.output).toBe(0);
    expect(await storedEventIds(t.config.warehouse)).toEqual(committed.map((e) => e.event_id).sort());
    for (const p of await offsetsVersusEnds(t)) expect(p.stored, p.partition).toBe(p.end);
  }, 180_000);

  it('reaches the end of partitions whose last records are an aborted transaction (markers and aborted records only)', async () => {
    await sendInTransactions(kafka, t, aborted.slice(30), 30, 'abort');
    const r = await runEdumonWithin(['run', '--until-idle'], t.env, 90_000);
    expect(r.code, r.output).toBe(0);
    expect(await storedEventIds(t.config.warehouse)).toEqual(committed.map((e) => e.event_id).sort());
    for (const p of await offsetsVersusEnds(t)) expect(p.stored, p.partition).toBe(p.end);
  }, 180_000);
});

describe('a transactional producer (the stock Java producer, lz4)', () => {
  const t = testEnv('txn-java');
  const events = validEvents(240, 33);

  it('stores the committed transactions, never the aborted ones, and --until-idle ends at every partition end', async () => {
    const topics = topicsOf(t.config);
    const records = events.map((e) => ({ topic: topics[familyOf[e.type]], key: messageKey(e), value: JSON.stringify(e) }));
    // Every third transaction of 20 aborts, the last one included: markers and aborted records end partitions.
    const { aborted } = await javaProduce(records, { compression: 'lz4', transactional: { size: 20, abortEvery: 3 } });
    expect(aborted.length).toBe(80);
    const r = await runEdumonWithin(['run', '--until-idle'], t.env, 90_000);
    expect(r.code, r.output).toBe(0);
    const abortedIds = new Set(aborted.map((i) => events[i]!.event_id));
    expect(await storedEventIds(t.config.warehouse)).toEqual(
      events
        .map((e) => e.event_id)
        .filter((id) => !abortedIds.has(id))
        .sort(),
    );
    for (const p of await offsetsVersusEnds(t)) expect(p.stored, p.partition).toBe(p.end);
  }, 180_000);
});

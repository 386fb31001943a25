/**
 * CONTRACT: the warehouse is the only source of truth for offsets. Kafka's consumer-group offsets
 * ahead of it (moved by an earlier crash, an operator or another tool) never make edumon skip a
 * message; and edumon only ever sets them to what the warehouse holds.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventTopicsOf } from '../../domain/topics.ts';
import { buildLoad } from '../fixtures/load.ts';
import { runEdumonWithin } from '../helpers/cli.ts';
import { publishRaw, testKafka } from '../helpers/kafka.ts';
import { buildReference } from '../helpers/reference.ts';
import { TEST_KEY, testEnv } from '../helpers/testEnv.ts';
import { expectWarehouseEqualsReference } from '../helpers/verifyLoad.ts';
import { queryWarehouse } from '../helpers/warehouse.ts';

const kafka = testKafka();

describe('consumer-group offsets at the end of every partition, and an empty warehouse', () => {
  const t = testEnv('groupahead');
  const load = buildLoad(t.config, 5_000, 17);
  const reference = join(t.dir, 'reference.duckdb');
  const eventTopics = eventTopicsOf(t.config);

  it('stores every event from the earliest offset, and leaves the group offsets equal to the warehouse offsets', async () => {
    await publishRaw(kafka, load.messages);
    await buildReference(reference, load.valid, TEST_KEY);
    const admin = kafka.admin();
    await admin.connect();
    try {
      for (const topic of eventTopics) {
        const ends = await admin.fetchTopicOffsets(topic);
        await admin.setOffsets({ groupId: t.config.kafka.groupId, topic, partitions: ends.map((o) => ({ partition: o.partition, offset: o.high })) });
      }
      const r = await runEdumonWithin(['run', '--until-idle'], t.env, 90_000);
      expect(r.code, r.output).toBe(0);
      await expectWarehouseEqualsReference(t, reference, load);

      const stored = await queryWarehouse<{ topic: string; partition: number; next_offset: string }>(
        t.config.warehouse,
        `select topic, "partition" as partition, next_offset::varchar as next_offset from ingest_offsets order by all`,
      );
      const group = (await admin.fetchOffsets({ groupId: t.config.kafka.groupId, topics: eventTopics })).flatMap((g) =>
        g.partitions.map((p) => ({ topic: g.topic, partition: p.partition, next_offset: p.offset })),
      );
      const byKey = (rows: Array<{ topic: string; partition: number; next_offset: string }>) =>
        Object.fromEntries(rows.map((r) => [`${r.topic}/${r.partition}`, r.next_offset]));
      expect(byKey(group)).toEqual(byKey(stored));
    } finally {
      await admin.disconnect();
    }
  }, 180_000);
});

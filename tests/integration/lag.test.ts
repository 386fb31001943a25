/**
 * CONTRACT: the consumer's lag (the `behind` of progress lines, and what holds scheduled rule
 * sweeps back) counts every assigned partition against what the warehouse has stored, fetched or
 * not; and waitUntilIdle ends with an error, not never, when the consumer stops for good.
 */

import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, openWarehouse } from '../../core/db.ts';
import { createKafka } from '../../core/kafka.ts';
import { createLogger } from '../../core/log.ts';
import { createPseudonymizer } from '../../ingest/pseudonymize.ts';
import { type ConsumerHandle, startConsumer } from '../../pipeline/consumer.ts';
import { sinkWriteFailpoint } from '../../pipeline/failpoint.ts';
import { migrate } from '../../pipeline/migrate.ts';
import { Sink } from '../../pipeline/sink.ts';
import { buildLoad } from '../fixtures/load.ts';
import { waitFor } from '../helpers/cli.ts';
import { publishRaw, testKafka } from '../helpers/kafka.ts';
import { TEST_KEY, testEnv } from '../helpers/testEnv.ts';

describe('lag while the warehouse stores nothing', () => {
  // Every write fails and is retried for minutes: nothing is ever stored while the test looks.
  const t = testEnv('lag', { EDUMON_WRITE_RETRIES: '20', EDUMON_WRITE_RETRY_BACKOFF_MS: '60000' });
  const load = buildLoad(t.config, 4_000, 19);
  const lines: string[] = [];
  let instance: DuckDBInstance;
  let conn: DuckDBConnection;
  let consumer: ConsumerHandle;

  beforeAll(async () => {
    await publishRaw(testKafka(), load.messages);
    instance = await openWarehouse(t.config.warehouse);
    conn = await connect(instance);
    await migrate(conn);
    const sink = await Sink.open(conn, { failpoint: sinkWriteFailpoint('after=0') });
    const log = createLogger({ level: 'debug', write: (l) => lines.push(l) });
    consumer = await startConsumer({ config: t.config, kafka: createKafka(t.config, log), sink, pseudonymize: createPseudonymizer(TEST_KEY), log });
  }, 60_000);

  afterAll(async () => {
    await Promise.race([consumer.stop(), new Promise((r) => setTimeout(r, 5000))]);
    conn.closeSync();
    instance.closeSync();
  });

  it('is every published message of every partition, from the start', async () => {
    expect(consumer.lag()).toBe(load.messages.length);
    // Assigned and fetched (the write is failing, so nothing is stored): still all of them.
    await waitFor(() => lines.some((l) => l.includes('warehouse write failed; retrying')), 30_000, 'a failing write');
    expect(consumer.lag()).toBe(load.messages.length);
    expect(consumer.stats.stored).toBe(0);
  });

  it('makes waitUntilIdle reject once the consumer has stopped, instead of polling for ever', async () => {
    const idle = expect(consumer.waitUntilIdle(50)).rejects.toThrow(/stopped before it caught up/);
    await consumer.stop();
    await idle;
  }, 60_000);
});

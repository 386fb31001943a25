/**
 * CONTRACT: delivery is at-least-once, the warehouse holds each event once; bad messages are
 * rejected, recorded and forwarded to edu.dlq; a crash at any moment loses and duplicates nothing.
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect } from 'vitest';
import { rng } from '../../core/rng.ts';
import { buildLoad } from '../fixtures/load.ts';
import { runEdumon, runEdumonWithin, spawnEdumon, waitFor } from '../helpers/cli.ts';
import { publishRaw, testKafka } from '../helpers/kafka.ts';
import { buildReference } from '../helpers/reference.ts';
import { TEST_KEY, testEnv } from '../helpers/testEnv.ts';
import { itEndsExactlyOnce } from '../helpers/verifyLoad.ts';

describe('100k messages with 10% redeliveries and 1% malformed, through SIGKILLs from the first second on', () => {
  // Small fetches: many more transactions for a kill to land in.
  const t = testEnv('sigkill', { EDUMON_KAFKA_MAX_BYTES_PER_PARTITION: '65536' });
  const load = buildLoad(t.config, 100_000, 7);
  const reference = join(t.dir, 'reference.duckdb');
  const kafka = testKafka();
  let logs = '';

  beforeAll(async () => {
    await buildReference(reference, load.valid, TEST_KEY);
    const r = rng(42);
    let proc = spawnEdumon(['run'], t.env);
    let spawnedAt = Date.now();
    let kills = 0;
    // Kill without warning: in the first second after start (while partitions are first
    // assigned), right at the assignment, and at random moments once it consumes.
    const killAt: Array<() => Promise<void>> = [
      () => sleep(800 - (Date.now() - spawnedAt)),
      () => waitFor(() => proc.output().includes('partitions assigned')),
      () => sleep(1000 - (Date.now() - spawnedAt)),
      async () => {
        await waitFor(() => proc.output().includes('partitions assigned'));
        await sleep(r.int(20, 300));
      },
      async () => {
        await waitFor(() => proc.output().includes('partitions assigned'));
        await sleep(r.int(20, 600));
      },
      async () => {
        await waitFor(() => proc.output().includes('partitions assigned'));
        await sleep(r.int(300, 1500));
      },
    ];
    const kill = async (when: () => Promise<void>) => {
      await when();
      proc.child.kill('SIGKILL');
      kills++;
      await proc.exited;
      logs += proc.output();
    };
    const chunks = killAt.length - 1;
    const per = Math.ceil(load.messages.length / chunks);
    for (let c = 0; c < chunks; c++) {
      await publishRaw(kafka, load.messages.slice(c * per, (c + 1) * per));
      await kill(killAt[c]!);
      proc = spawnEdumon(['run'], t.env);
      spawnedAt = Date.now();
    }
    await kill(killAt[chunks]!);
    const final = await runEdumon(['run', '--until-idle'], t.env);
    logs += final.output;
    expect(final.code, final.output).toBe(0);
    expect(kills).toBe(killAt.length);
  }, 900_000);

  itEndsExactlyOnce(t, reference, load, kafka, () => logs);
});

describe('crashes in the first second after start, while partitions are first assigned', () => {
  // Default fetch sizes: one fetch takes a whole partition, so a consumer that let Kafka's group
  // offset run ahead of the warehouse would leave partitions at their end with nothing stored.
  const t = testEnv('earlykill');
  const load = buildLoad(t.config, 40_000, 8);
  const reference = join(t.dir, 'reference.duckdb');
  const kafka = testKafka();
  let logs = '';

  beforeAll(async () => {
    await buildReference(reference, load.valid, TEST_KEY);
    const delays = [50, 200, 400, 700];
    const per = Math.ceil(load.messages.length / delays.length);
    for (const [i, delay] of delays.entries()) {
      await publishRaw(kafka, load.messages.slice(i * per, (i + 1) * per));
      const proc = spawnEdumon(['run'], t.env);
      await waitFor(() => proc.output().includes('partitions assigned'));
      await sleep(delay);
      proc.child.kill('SIGKILL');
      await proc.exited;
      logs += proc.output();
    }
    const final = await runEdumonWithin(['run', '--until-idle'], t.env, 120_000);
    logs += final.output;
    expect(final.code, final.output).toBe(0);
  }, 600_000);

  itEndsExactlyOnce(t, reference, load, kafka, () => logs);
});

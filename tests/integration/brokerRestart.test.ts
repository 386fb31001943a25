/**
 * REQUIREMENT: stopping and restarting the broker mid-load still ends with exactly the same
 * table contents. The service rides out each outage (it neither exits nor loses its place), then
 * stores everything once, rejects every malformed message and forwards it to edu.dlq. Its GET
 * /readyz says not ready, naming the broker, while the broker is down, and ready once it is back
 * and everything is stored (issue 24).
 *
 * Runs against a second, private broker (127.0.0.1:19092) so that stopping it disturbs no other test.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventTables } from '../../domain/eventTables.ts';
import { readServiceFile } from '../../service/client.ts';
import type { Readiness } from '../../service/health.ts';
import { buildLoad } from '../fixtures/load.ts';
import { type Running, runEdumon, spawnEdumon, waitFor } from '../helpers/cli.ts';
import { publishRaw, testKafka } from '../helpers/kafka.ts';
import { buildReference } from '../helpers/reference.ts';
import { TEST_KEY, testEnv } from '../helpers/testEnv.ts';
import { itEndsExactlyOnce } from '../helpers/verifyLoad.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const BROKER = '127.0.0.1:19092';

/** up.sh / down.sh of the project, for the private broker on 19092 (data in infra/kafka/.data/19092). */
async function broker(script: 'up' | 'down', ...args: string[]): Promise<void> {
  await promisify(execFile)('bash', [join(ROOT, 'infra', 'kafka', `${script}.sh`), ...args], {
    env: { ...process.env, KAFKA_PORT: '19092', KAFKA_CONTROLLER_PORT: '19093' },
  });
}

describe('the broker stops and restarts twice in the middle of a 50k-message load', () => {
  // Small fetches: many transactions, so the broker goes away while rows are being written.
  const t = testEnv('brokerrestart', { EDUMON_KAFKA_BROKERS: BROKER, EDUMON_KAFKA_MAX_BYTES_PER_PARTITION: '65536' });
  const load = buildLoad(t.config, 50_000, 11);
  const reference = join(t.dir, 'reference.duckdb');
  const kafka = testKafka([BROKER]);
  let proc: Running | undefined;
  let exitedEarly: number | null | undefined;
  /** Events stored when the broker went away, per outage. */
  const storedAtOutage: number[] = [];
  let exitCode: number | null = null;
  let logs = '';

  /** Rows stored so far, asked through the running service (the warehouse file is held by it). */
  const storedRows = async (): Promise<{ events: number; rejections: number }> => {
    const sql = `select ${eventTables.map((tb) => `(select count(*) from ${tb})`).join(' + ')} as events, (select count(*) from rejections) as rejections`;
    const r = await runEdumon(['query', sql, '-f', 'json'], t.env);
    if (r.code !== 0) throw new Error(`edumon query failed: ${r.output}`);
    const row = JSON.parse(r.stdout.trim()) as { events: number | string; rejections: number | string };
    return { events: Number(row.events), rejections: Number(row.rejections) };
  };
  /** GET /readyz on the running service, from this host (no token needed on loopback). */
  const readyz = async (): Promise<{ status: number; body: Readiness }> => {
    const info = readServiceFile(t.config.warehouse);
    if (!info) throw new Error('no service file yet');
    const res = await fetch(`http://127.0.0.1:${info.port}/readyz`);
    return { status: res.status, body: (await res.json()) as Readiness };
  };
  /** Readiness as seen at each step: when the service joined, during each outage, at the end. */
  const readiness: Array<{ when: string; status: number; body: Readiness }> = [];
  const awaitReadiness = async (when: string, want: (r: { status: number; body: Readiness }) => boolean) => {
    let last: { status: number; body: Readiness } | undefined;
    await waitFor(
      async () => {
        stillRunning();
        // Before the API listens there is no service file (the consumer joins first).
        if (!readServiceFile(t.config.warehouse)) return false;
        last = await readyz();
        return want(last);
      },
      90_000,
      `/readyz ${when}`,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; last answer ${JSON.stringify(last)}`);
    });
    readiness.push({ when, ...last! });
  };
  const stillRunning = () => {
    if (exitedEarly !== undefined) throw new Error(`the service exited (code ${exitedEarly}):\n${proc!.output()}`);
  };

  beforeAll(async () => {
    await broker('up');
    await buildReference(reference, load.valid, TEST_KEY);
    proc = spawnEdumon(['run'], t.env);
    // `exited` only ever resolves (on the child's 'close'), so this chain cannot reject.
    void proc.exited.then((code) => {
      exitedEarly = code;
    });
    await waitFor(
      () => {
        stillRunning();
        return proc!.output().includes('partitions assigned');
      },
      60_000,
      'the service to join its group',
    ).catch((err: Error) => {
      throw new Error(`${err.message}; the service printed:\n${proc!.output()}`);
    });

    await awaitReadiness('after joining', (r) => r.status === 200);

    // The load comes in three parts; after each of the first two, once the service is storing
    // (again), the broker is stopped under it for a while, then started again.
    const parts = 3;
    const per = Math.ceil(load.messages.length / parts);
    for (let p = 0; p < parts; p++) {
      await publishRaw(kafka, load.messages.slice(p * per, (p + 1) * per));
      if (p === parts - 1) break;
      const before = storedAtOutage.at(-1) ?? 0;
      await waitFor(
        async () => {
          stillRunning();
          return (await storedRows()).events > before;
        },
        60_000,
        'the service to store more events',
      );
      await broker('down');
      storedAtOutage.push((await storedRows()).events);
      // Down until the service has noticed: its readiness names the broker (after brokerSilentSeconds).
      await awaitReadiness(`during outage ${p + 1}`, (r) => r.status === 503 && !r.body.checks.broker.ok);
      stillRunning();
      await broker('up');
    }

    let last = { events: -1, rejections: -1 };
    try {
      await waitFor(
        async () => {
          stillRunning();
          last = await storedRows();
          return last.events === load.valid.length && last.rejections === load.malformedCount;
        },
        180_000,
        'every event to be stored',
      );
    } catch (err) {
      throw new Error(
        `${(err as Error).message}; last seen ${JSON.stringify(last)} of ${load.valid.length} events and ${load.malformedCount} rejections\n${proc.output()}`,
      );
    }
    await awaitReadiness('once everything is stored', (r) => r.status === 200);
    stillRunning();
    proc.child.kill('SIGTERM');
    exitCode = await proc.exited;
    logs = proc.output();
  }, 420_000);

  afterAll(async () => {
    if (proc && proc.child.exitCode === null && proc.child.signalCode === null) {
      proc.child.kill('SIGKILL');
      await proc.exited;
    }
    await broker('down', '--wipe');
  }, 60_000);

  it('keeps running through both outages, resumes storing after each, and stops cleanly on SIGTERM', () => {
    // Each outage hit mid-load: events were being stored, and more were still to come.
    expect(storedAtOutage).toHaveLength(2);
    expect(storedAtOutage[0]).toBeGreaterThan(0);
    expect(storedAtOutage[1]).toBeGreaterThan(storedAtOutage[0]!);
    expect(storedAtOutage[1]).toBeLessThan(load.valid.length);
    expect(exitCode, logs).toBe(0);
    expect(logs).toMatch(/^stored \d+ events, \d+ duplicates skipped, \d+ rejected$/m);
  });

  it('says not ready, naming the broker, during each outage, and ready before and after', () => {
    expect(readiness.map((r) => [r.when, r.status])).toEqual([
      ['after joining', 200],
      ['during outage 1', 503],
      ['during outage 2', 503],
      ['once everything is stored', 200],
    ]);
    for (const r of readiness.filter((x) => x.status === 503)) {
      expect(r.body.ready).toBe(false);
      expect(r.body.checks.broker.detail).toMatch(/^the broker has not answered for \d+ s \(limit 15 s\)$/);
      // The warehouse is not to blame: it takes writes whenever there is something to write.
      expect(r.body.checks.warehouse.ok).toBe(true);
    }
    expect(Object.values(readiness.at(-1)!.body.checks).every((c) => c.ok)).toBe(true);
  });

  itEndsExactlyOnce(t, reference, load, kafka, () => logs);
});

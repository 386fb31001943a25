/**
 * Issue #4 end to end: with `edumon run` up and its scheduler on, an over-quota admission published
 * to the real Kafka opens ADM-OVER-QUOTA within 15 s, and a cancellation resolves it.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HS, overQuotaThenCancelled } from '../helpers/alertWorld.ts';
import { listAlerts, type Running, runEdumon, spawnEdumon, waitFor } from '../helpers/cli.ts';
import { testEnv } from '../helpers/testEnv.ts';

describe('a live over-quota admission', () => {
  // Each admission sent is the admission feed's newest event: with no allowed lateness the feed is
  // complete up to it (the default 10 minutes would judge it once the feed reports 10 minutes later).
  const t = testEnv('live-alert', { EDUMON_RULES_SCHEDULE: 'on', EDUMON_FEEDS_ALLOWED_LATENESS_MINUTES: '0' });
  let proc: Running;
  // All year is admission season here, so season rules run every 10 s whatever today's date.
  const configFile = join(t.dir, 'config.json');
  writeFileSync(configFile, JSON.stringify({ rules: { seasonStart: '01-01', seasonEnd: '12-31' } }));
  const env = { ...t.env, EDUMON_CONFIG: configFile };

  const publish = async (name: string, events: object[]) => {
    const file = join(t.dir, `${name}.jsonl`);
    writeFileSync(file, `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
    const r = await runEdumon(['ingest', file], env);
    expect(r.code, r.output).toBe(0);
  };
  const overQuota = () => listAlerts(env, '--rule', 'ADM-OVER-QUOTA');

  beforeAll(async () => {
    proc = spawnEdumon(['run'], env);
    await waitFor(() => proc.output().includes('pipeline running'), 60_000, 'the service to start');
  });
  afterAll(async () => {
    if (proc.child.exitCode === null && proc.child.signalCode === null) {
      proc.child.kill('SIGTERM');
      await proc.exited;
    }
    rmSync(t.dir, { recursive: true, force: true });
  });

  it('opens ADM-OVER-QUOTA within 15 s of the N+1th admission, and resolves it after a cancellation', async () => {
    const events = overQuotaThenCancelled().events; // a plan of 2 places, 3 admissions, then one cancelled
    const cancellation = events.pop()!;
    expect(cancellation.type).toBe('admission.cancelled');

    await publish('season', events);
    const published = Date.now();
    await waitFor(async () => (await overQuota()).some((a) => a.status === 'open'), 15_000, 'ADM-OVER-QUOTA to open');
    const [alert] = await overQuota();
    expect(alert).toMatchObject({ school_id: HS, period: '2025', status: 'open', observed: '3', threshold: '2' });
    process.stdout.write(`ADM-OVER-QUOTA open ${Date.now() - published} ms after publishing\n`);

    // ack and silence go through the running service (it holds the warehouse).
    const ack = await runEdumon(['alerts', 'ack', String(alert!.id), '--note', 'seen'], env);
    expect(ack.code, ack.output).toBe(0);
    const silence = await runEdumon(
      ['alerts', 'silence', '--rule', 'ADM-OVER-QUOTA', '--school', HS, '--until', '2099-01-01T00:00:00Z', '--reason', 'test'],
      env,
    );
    expect(silence.code, silence.output).toBe(0);
    expect((await overQuota())[0]).toMatchObject({ ack_note: 'seen', silenced: true });

    await publish('cancellation', [cancellation]);
    await waitFor(async () => (await overQuota()).some((a) => a.status === 'resolved'), 15_000, 'ADM-OVER-QUOTA to resolve');
    expect(await overQuota()).toEqual([expect.objectContaining({ id: alert!.id, status: 'resolved' })]);
    expect(proc.child.exitCode).toBeNull();
  });
});

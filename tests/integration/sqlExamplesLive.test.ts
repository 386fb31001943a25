/**
 * The analysts' worked examples run while `edumon run` ingests: a small simulated year is
 * published to Kafka at a live pace, and while the service is still storing it every
 * sql/examples/*.sql goes through the real CLI (`edumon query SQL --format json`, which reaches the
 * running service's loopback API). Each must exit 0 with one JSON object per line; the service's
 * stored-event count must rise across the queries and still be short of the year when the last
 * one ends (they ran beside ingestion, not after it); SIGTERM then stops the service cleanly.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runEdumon, spawnEdumon, waitFor } from '../helpers/cli.ts';
import { examples } from '../helpers/sqlExamples.ts';
import { testEnv } from '../helpers/testEnv.ts';

/** The smallest scale (about 213,000 events), published slowly enough (7 minutes) that ingestion outlasts the queries. */
const SCALE = '0.05';
const RATE = 500;

describe('the analysts’ worked examples while edumon run ingests', () => {
  const t = testEnv('sql-examples-live', { EDUMON_LOG_FORMAT: 'json', EDUMON_PROGRESS_INTERVAL_MS: '500' });
  const sim = join(t.dir, 'sim');
  afterAll(() => rmSync(t.dir, { recursive: true, force: true }));

  it('answers every example through the running service while events are still being stored', { timeout: 400_000 }, async () => {
    const pub = spawnEdumon(['simulate', '--seed', '1', '--scale', SCALE, '--out', sim, '--publish', '--rate', String(RATE)], t.env);
    await waitFor(() => pub.output().includes('truth.json:') || pub.child.exitCode !== null, 120_000, 'the year to be simulated');
    const truth = JSON.parse(readFileSync(join(sim, 'truth.json'), 'utf8')) as { events: Record<string, number> };
    const total = Object.values(truth.events).reduce((a, b) => a + b, 0);
    const svc = spawnEdumon(['run'], t.env);
    const stored = () =>
      svc
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .reduce((n, l) => (l.msg === 'progress' ? Math.max(n, Number(l.stored)) : n), 0);
    const counts: number[] = [];
    const failures: string[] = [];
    try {
      await waitFor(() => svc.output().includes('pipeline running'), 60_000, 'the service to start');
      await waitFor(() => stored() > 0, 120_000, 'the first events stored');
      counts.push(stored());
      for (const ex of examples()) {
        const began = Date.now();
        const q = await runEdumon(['query', ex.sql, '--format', 'json'], t.env);
        const lines = q.stdout.split('\n').filter(Boolean);
        const parsed = lines.filter((l) => {
          try {
            const v = JSON.parse(l) as unknown;
            return typeof v === 'object' && v !== null && !Array.isArray(v);
          } catch {
            return false;
          }
        });
        if (q.code !== 0 || parsed.length !== lines.length)
          failures.push(`${ex.file}: exit ${q.code}, ${lines.length - parsed.length} unparseable lines\n${q.stderr}`);
        counts.push(stored());
        process.stdout.write(`live ${ex.file}: exit ${q.code}, ${lines.length} rows in ${Date.now() - began} ms; stored ${counts.at(-1)} of ${total}\n`);
      }
    } finally {
      if (pub.child.exitCode === null) pub.child.kill('SIGTERM');
      svc.child.kill('SIGTERM');
      await pub.exited;
    }
    expect(await svc.exited, `edumon run after SIGTERM:\n${svc.output().slice(-2000)}`).toBe(0);
    expect(failures).toEqual([]);
    expect(counts.length).toBe(examples().length + 1);
    expect(counts, 'stored events never go back').toEqual([...counts].sort((a, b) => a - b));
    expect(counts.at(-1)!, 'stored events rose while the examples ran').toBeGreaterThan(counts[0]!);
    expect(counts.at(-1)!, 'the year was still arriving when the last example ended').toBeLessThan(total);
  });
});

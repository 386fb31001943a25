/**
 * GET /metrics (issue 24, part 2): an IT department's Prometheus scrapes a running `edumon run`;
 * read back with a Prometheus text-format parser, the ingestion counters move as events are
 * published and end equal to what was sent (stored, duplicates, rejected), every partition's lag
 * is there and back to 0, readiness is there check by check, and no label or value names a person.
 */
import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import { eventTopicsOf } from '../../domain/topics.ts';
import { readServiceFile } from '../../service/client.ts';
import { buildLoad } from '../fixtures/load.ts';
import { type Running, spawnEdumon, waitFor } from '../helpers/cli.ts';
import { publishRaw, testKafka } from '../helpers/kafka.ts';
import { testEnv } from '../helpers/testEnv.ts';

/** One family as parse-prometheus-text-format gives it (prom2json's shape). */
interface Family {
  name: string;
  type: string;
  metrics: Array<{ value?: string; labels?: Record<string, string>; count?: string; sum?: string; buckets?: Record<string, string> }>;
}
const parse = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => Family[];

const t = testEnv('metrics');
const load = buildLoad(t.config, 3_000, 23);
const kafka = testKafka();
let service: Running | undefined;

/** A scrape of GET /metrics from this host (no token on loopback): its families by name, and the text. */
async function scrape(): Promise<{ byName: Map<string, Family>; text: string; contentType: string | null }> {
  const info = readServiceFile(t.config.warehouse)!;
  const res = await fetch(`http://127.0.0.1:${info.port}/metrics`);
  expect(res.status).toBe(200);
  const text = await res.text();
  return { byName: new Map(parse(text).map((f) => [f.name, f])), text, contentType: res.headers.get('content-type') };
}
const value = (s: { byName: Map<string, Family> }, name: string) => Number(s.byName.get(name)?.metrics[0]?.value ?? Number.NaN);

afterAll(async () => {
  if (service && service.child.exitCode === null) {
    service.child.kill('SIGTERM');
    await service.exited;
  }
});

describe('GET /metrics on a running service', () => {
  it('counts what ingestion stores, skips and rejects as events are published, and ends equal to what was sent', async () => {
    service = spawnEdumon(['run'], t.env);
    await waitFor(() => service!.output().includes('pipeline running') && readServiceFile(t.config.warehouse) !== null, 60_000, 'the service to start');
    const before = await scrape();
    expect(before.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(value(before, 'edumon_events_stored_total')).toBe(0);
    expect(before.byName.get('process_resident_memory_bytes')?.type).toBe('GAUGE');

    // Half the messages, then the rest: the counters move with each part.
    const half = Math.floor(load.messages.length / 2);
    await publishRaw(kafka, load.messages.slice(0, half));
    let middle = before;
    await waitFor(
      async () => {
        middle = await scrape();
        const total = ['stored', 'duplicate', 'rejected'].reduce((n, k) => n + value(middle, `edumon_events_${k}_total`), 0);
        return total === half;
      },
      90_000,
      'the first half to be counted',
    );
    expect(value(middle, 'edumon_events_stored_total')).toBeGreaterThan(0);
    await publishRaw(kafka, load.messages.slice(half));
    let after = middle;
    await waitFor(
      async () => {
        after = await scrape();
        return value(after, 'edumon_events_stored_total') === load.valid.length && value(after, 'edumon_events_rejected_total') === load.malformedCount;
      },
      90_000,
      'every event to be counted',
    );
    expect(value(after, 'edumon_events_stored_total')).toBeGreaterThan(value(middle, 'edumon_events_stored_total'));
    expect(value(after, 'edumon_events_duplicate_total')).toBe(load.messages.length - load.valid.length - load.malformedCount);

    // Every message in some transaction; the duration histogram has as many observations.
    const events = after.byName.get('edumon_warehouse_transaction_events')!.metrics[0]!;
    const durations = after.byName.get('edumon_warehouse_transaction_duration_seconds')!.metrics[0]!;
    expect(Number(events.sum)).toBe(load.messages.length);
    expect(Number(durations.count)).toBe(Number(events.count));
    expect(Number(durations.count)).toBeGreaterThan(1);

    // From the warehouse at the scrape: each feed's watermark age and staleness (the feeds the load
    // carries). A feed's watermark waits while any of its partitions lags as ingestion sees it,
    // which can trail the counters by a moment: scrape until it is there and nothing lags.
    let ages: Family['metrics'] = [];
    await waitFor(
      async () => {
        after = await scrape();
        ages = after.byName.get('edumon_feed_watermark_age_seconds')?.metrics ?? [];
        const lagging = (after.byName.get('edumon_consumer_lag_events')?.metrics ?? []).some((m) => Number(m.value) !== 0);
        return ages.length > 0 && !lagging;
      },
      60_000,
      'a feed watermark, and no partition lagging',
    );
    expect(ages.every((m) => Number(m.value) >= 0)).toBe(true);
    const stale = after.byName.get('edumon_feed_stale')!.metrics;
    expect(stale.map((m) => m.labels!.feed).sort()).toEqual(expect.arrayContaining(ages.map((m) => m.labels!.feed).sort()));
    expect(after.byName.get('edumon_open_alerts')?.type).toBe('GAUGE');

    // Each of the 16 event partitions (4 topics x 4) with its lag, 0 now that everything is stored.
    const lag = after.byName.get('edumon_consumer_lag_events')!.metrics;
    expect(lag).toHaveLength(16);
    expect(new Set(lag.map((m) => m.labels!.topic))).toEqual(new Set(eventTopicsOf(t.config)));
    expect(lag.every((m) => Number(m.value) === 0)).toBe(true);

    const checks = after.byName.get('edumon_readiness_check')!.metrics;
    expect(checks.map((m) => m.labels!.check).sort()).toEqual(['broker', 'ingestion', 'mail', 'warehouse']);
    expect(value(after, 'edumon_ready')).toBe(1);

    // No label or value names a person: none of the raw ids that went in, and no address.
    for (const id of load.rawIds) expect(after.text).not.toContain(id);
    expect(after.text).not.toMatch(/@/);
  }, 240_000);
});

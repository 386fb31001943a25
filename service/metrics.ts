/**
 * The service's metrics in the Prometheus text format (GET /metrics), with prom-client: what
 * ingestion stored, rejected and skipped, how long its transactions took and how many events each
 * held, the lag of every partition, and readiness check by check (service/health.ts). Names follow
 * Prometheus's conventions (https://prometheus.io/docs/practices/naming/): `edumon_` first, the
 * unit in the name, `_total` for counters. No label carries a personal id or an address: topics,
 * partitions and check names only. Node's own (process_*, nodejs_*) come with prom-client's defaults.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { WriteResult } from '../pipeline/sink.ts';
import type { Readiness } from './health.ts';

/** What the scrape reads from the running service. */
export interface MetricSources {
  lagByPartition(): Array<{ topic: string; partition: number; lag: number }>;
  readiness(): Readiness;
}

export interface ServiceMetrics {
  registry: Registry;
  /** Records one warehouse transaction: what it added and how long it took (ms). */
  committed(r: WriteResult, ms: number): void;
}

/** A registry of its own (never prom-client's global one: two services in one process would clash). */
export function createMetrics(sources: MetricSources): ServiceMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const stored = new Counter({ name: 'edumon_events_stored_total', help: 'Events stored in the warehouse.', registers: [registry] });
  const duplicates = new Counter({
    name: 'edumon_events_duplicate_total',
    help: 'Events skipped as already stored (the same event_id delivered again).',
    registers: [registry],
  });
  const rejected = new Counter({
    name: 'edumon_events_rejected_total',
    help: 'Messages rejected (not valid under the contract, or refused by the warehouse) and forwarded to the DLQ.',
    registers: [registry],
  });
  const seconds = new Histogram({
    name: 'edumon_warehouse_transaction_duration_seconds',
    help: 'How long each warehouse transaction of ingestion took.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const events = new Histogram({
    name: 'edumon_warehouse_transaction_events',
    help: 'Events (stored, duplicate and rejected) in each warehouse transaction of ingestion.',
    buckets: [1, 10, 100, 1000, 5000, 10_000, 25_000, 50_000],
    registers: [registry],
  });
  new Gauge({
    name: 'edumon_consumer_lag_events',
    help: 'Offsets a partition holds beyond what the warehouse has stored.',
    labelNames: ['topic', 'partition'],
    registers: [registry],
    collect() {
      this.reset();
      for (const p of sources.lagByPartition()) this.set({ topic: p.topic, partition: String(p.partition) }, p.lag);
    },
  });
  new Gauge({
    name: 'edumon_ready',
    help: 'Whether GET /readyz says ready (1) or not (0).',
    registers: [registry],
    collect() {
      this.set(sources.readiness().ready ? 1 : 0);
    },
  });
  new Gauge({
    name: 'edumon_readiness_check',
    help: 'Each readiness check of GET /readyz: passing (1) or not (0).',
    labelNames: ['check'],
    registers: [registry],
    collect() {
      for (const [check, c] of Object.entries(sources.readiness().checks)) this.set({ check }, c.ok ? 1 : 0);
    },
  });
  return {
    registry,
    committed(r, ms) {
      stored.inc(r.stored);
      duplicates.inc(r.duplicates);
      rejected.inc(r.rejected);
      seconds.observe(ms / 1000);
      events.observe(r.stored + r.duplicates + r.rejected);
    },
  };
}

/**
 * The service's metrics in the Prometheus text format (GET /metrics), with prom-client: what
 * ingestion stored, rejected and skipped, how long its transactions took and how many events each
 * held, the lag of every partition, readiness check by check (service/health.ts), and from the
 * warehouse at each scrape the open alerts, the outbox and each feed's watermark. Names follow
 * Prometheus's conventions (https://prometheus.io/docs/practices/naming/): `edumon_` first, the
 * unit in the name, `_total` for counters. No label carries a personal id or an address: topics,
 * partitions, checks, rules, severities, outbox states and feeds only. Node's own (process_*,
 * nodejs_*) come with prom-client's defaults.
 */

import type { DuckDBConnection } from '@duckdb/node-api';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { IngestState } from '../alerts/feedWatermarks.ts';
import type { Config } from '../core/config.ts';
import { sqlStatements } from '../core/sqlStatements.ts';
import type { WriteResult } from '../pipeline/sink.ts';
import { dataHealth } from './console/dataHealth.ts';
import type { Readiness } from './health.ts';

const SQL = sqlStatements('alerts', ['metrics_open_alerts']);

/** What a scrape reads from the warehouse, once per scrape (service/run.ts, on a connection of its own). */
export interface WarehouseFigures {
  openAlerts: Array<{ rule: string; severity: string; n: number }>;
  outbox: Array<{ state: string; n: number }>;
  /** Each feed's watermark (alerts/feedWatermarks.ts: what the rules judge as of), epoch ms; null with nothing stored. */
  feeds: Array<{ feed: string; watermarkMs: number | null; pastQuiet: boolean }>;
}

/** What the scrape reads from the running service. */
export interface MetricSources {
  lagByPartition(): Array<{ topic: string; partition: number; lag: number }>;
  readiness(): Readiness;
  /** The warehouse's figures; without it, those gauges are absent. */
  warehouse?(): Promise<WarehouseFigures>;
  /** The service's clock (epoch ms), which watermark ages are measured against. */
  now(): number;
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
  if (sources.warehouse) {
    // The three gauges below share one read of the warehouse per scrape.
    let reading: { at: number; figures: Promise<WarehouseFigures> } | undefined;
    const figures = () => {
      const now = Date.now();
      if (!reading || now - reading.at > 1000) reading = { at: now, figures: sources.warehouse!() };
      return reading.figures;
    };
    new Gauge({
      name: 'edumon_open_alerts',
      help: 'Open alerts, by rule and severity.',
      labelNames: ['rule', 'severity'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const a of (await figures()).openAlerts) this.set({ rule: a.rule, severity: a.severity }, a.n);
      },
    });
    new Gauge({
      name: 'edumon_outbox_emails',
      help: 'Alert emails in the outbox, by state (pending, sending, sent, failed, held, unknown).',
      labelNames: ['state'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const o of (await figures()).outbox) this.set({ state: o.state }, o.n);
      },
    });
    new Gauge({
      name: 'edumon_feed_watermark_age_seconds',
      help: "How far each feed's watermark (what the rules judge as of) is behind the service's clock.",
      labelNames: ['feed'],
      registers: [registry],
      async collect() {
        this.reset();
        const now = sources.now();
        for (const f of (await figures()).feeds) if (f.watermarkMs !== null) this.set({ feed: f.feed }, Math.max(0, (now - f.watermarkMs) / 1000));
      },
    });
    new Gauge({
      name: 'edumon_feed_stale',
      help: 'Whether a feed has been quiet past its allowed quiet (1), as DQ-STALE-FEED judges, or not (0).',
      labelNames: ['feed'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const f of (await figures()).feeds) this.set({ feed: f.feed }, f.pastQuiet ? 1 : 0);
      },
    });
  }
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

/**
 * The warehouse's figures of a scrape on `conn`: open alerts by rule and severity, emails by outbox
 * state, and each feed's watermark and staleness as the data-health page computes them
 * (service/console/dataHealth.ts) with `ingest` (the rules' view of ingestion) at `nowMs`.
 */
export async function readWarehouseFigures(
  conn: DuckDBConnection,
  config: Config,
  ingest: Promise<IngestState | undefined>,
  nowMs: number,
): Promise<WarehouseFigures> {
  const openAlerts = (await conn.runAndReadAll(SQL.metrics_open_alerts)).getRowObjectsJson().map((r) => ({
    rule: String(r.rule),
    severity: String(r.severity),
    n: Number(r.n),
  }));
  const health = await dataHealth(conn, config, await ingest, nowMs, 0);
  const outbox = new Map<string, number>();
  for (const o of health.outbox) outbox.set(o.state, (outbox.get(o.state) ?? 0) + o.n);
  return {
    openAlerts,
    outbox: [...outbox].map(([state, n]) => ({ state, n })),
    feeds: health.feeds.map((f) => ({ feed: f.feed, watermarkMs: f.watermark.at, pastQuiet: f.pastQuiet })),
  };
}

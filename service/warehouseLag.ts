/**
 * What a command on a stopped warehouse knows of ingestion (`edumon rules run` while no `edumon
 * run` holds the file): the event topics' partition ends read from the broker now, against the next
 * offsets the warehouse stored (ingest_offsets). A partition whose end is past what was stored (or,
 * never stored from, past its first offset) lags. The broker not answering within seconds leaves it
 * unknown, and the caller judges as if nothing were known (alerts/feedWatermarks.ts).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { IngestState } from '../alerts/feedWatermarks.ts';
import type { Config } from '../core/config.ts';
import { messageOf } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { eventTopicsOf } from '../domain/topics.ts';

/**
 * The ingest state of the warehouse on `conn` as of `now` (epoch ms, the command's clock), or
 * undefined (with a debug line saying why) if the broker could not be asked.
 */
export async function warehouseIngestState(conn: DuckDBConnection, config: Pick<Config, 'kafka'>, log: Logger, now: number): Promise<IngestState | undefined> {
  const stored = new Map(
    (await conn.runAndReadAll(`select topic, "partition", next_offset from ingest_offsets`)).getRows().map(([t, p, o]) => [`${t}:${p}`, BigInt(String(o))]),
  );
  // Imported here: `edumon rules list`, which imports this module through the rules command, never needs kafkajs.
  const { createKafka } = await import('../core/kafka.ts');
  const admin = createKafka(config, log, '-lag', true).admin();
  try {
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    const lagging = new Set<string>();
    for (const topic of eventTopicsOf(config).filter((t) => existing.has(t)))
      for (const o of await admin.fetchTopicOffsets(topic)) {
        const key = `${topic}:${o.partition}`;
        if (BigInt(o.high) > (stored.get(key) ?? BigInt(o.low))) lagging.add(key);
      }
    return { lagging, endsRead: true, now };
  } catch (err) {
    log.debug('partition ends not read: the broker did not answer', { error: messageOf(err) });
    return undefined;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * `simulate --publish`: sends the written files to Kafka in occurred_at order across all four
 * topics (malformed and duplicate lines where they stand in their file), optionally paced.
 */
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import type { Config } from '../core/config.ts';
import type { Logger } from '../core/log.ts';
import { families } from '../domain/topics.ts';
import { openProducer } from '../ingest/openProducer.ts';
import { Publisher } from '../ingest/publish.ts';
import { LineReader } from './sortedRuns.ts';

const field = (line: string, name: string) => new RegExp(`"${name}":"([^"]*)"`).exec(line)?.[1];

export async function publishFiles(opts: { dir: string; config: Config; kafka: Kafka; log: Logger; rate?: number }): Promise<number> {
  const { config, kafka, log } = opts;
  const { admin, producer } = await openProducer(config, kafka);
  // Small batches when paced, so that the pace is what the consumer sees.
  const publisher = opts.rate ? new Publisher(producer, config, Math.max(1, Math.min(5000, Math.ceil(opts.rate / 10)))) : new Publisher(producer, config);
  const readers = families.map((f) => ({ family: f, reader: new LineReader(join(opts.dir, `${f}.jsonl`)), line: null as string | null, key: '' }));
  const advance = (r: (typeof readers)[number]) => {
    r.line = r.reader.next();
    if (r.line === '') r.line = r.reader.next();
    // Broken lines keep their place: they inherit the key of the line before them.
    if (r.line !== null) r.key = field(r.line, 'occurred_at') ?? r.key;
  };
  readers.forEach(advance);
  const started = Date.now();
  let sent = 0;
  try {
    for (;;) {
      let next: (typeof readers)[number] | undefined;
      for (const r of readers) if (r.line !== null && (!next || r.key < next.key)) next = r;
      if (!next) break;
      const line = next.line!;
      const key = field(line, 'school_id') ?? field(line, 'region_code') ?? '';
      await publisher.addTo(next.family, key, line);
      sent++;
      advance(next);
      if (opts.rate && sent % 100 === 0) {
        const ahead = (sent / opts.rate) * 1000 - (Date.now() - started);
        if (ahead > 0) await new Promise((r) => setTimeout(r, ahead));
      }
      if (sent % 100_000 === 0) log.info('simulate: publishing', { sent });
    }
    await publisher.flush();
  } finally {
    for (const r of readers) r.reader.close();
    await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
  }
  return sent;
}

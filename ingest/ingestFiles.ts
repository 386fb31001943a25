/**
 * `edumon ingest`: validates every record of the given files against the contract and publishes
 * the valid ones to their topics. Rejected lines are reported with file, line and reason;
 * valid lines are never held back by bad ones.
 */
import { existsSync } from 'node:fs';
import type { Kafka } from 'kafkajs';
import type { Config } from '../core/config.ts';
import { UsageError } from '../core/errors.ts';
import { kafkaError } from '../core/kafka.ts';
import type { Logger } from '../core/log.ts';
import { type EventType, isEventType } from '../domain/contract.ts';
import { decodeObject } from './decode.ts';
import { textEncoding, UTF8 } from './decodeText.ts';
import { openProducer } from './openProducer.ts';
import { Publisher } from './publish.ts';
import { formatOf, readCsv, readJsonLines } from './readRecords.ts';

export interface IngestReport {
  files: Array<{ file: string; read: number; published: number; rejected: number }>;
  published: number;
  rejected: number;
}

export interface RejectedLine {
  file: string;
  line: number;
  reason: string;
}

export async function ingestFiles(opts: {
  files: string[];
  type?: string;
  format?: string;
  /** Text encoding of the files (--encoding); UTF-8 by default. */
  encoding?: string;
  config: Config;
  kafka: Kafka;
  log: Logger;
  onReject: (r: RejectedLine) => void;
}): Promise<IngestReport> {
  const { config, kafka, log } = opts;
  let fixedType: EventType | undefined;
  if (opts.type !== undefined) {
    if (!isEventType(opts.type)) throw new UsageError(`--type ${opts.type} is not an event type of the contract`);
    fixedType = opts.type;
  }
  const formats = opts.files.map((f) => formatOf(f, opts.format));
  const encoding = opts.encoding === undefined ? UTF8 : textEncoding(opts.encoding);
  for (const f of opts.files) {
    if (!existsSync(f)) throw new UsageError(`ingest: ${f}: no such file`);
  }
  const { admin, producer } = await openProducer(config, kafka);
  const publisher = new Publisher(producer, config);
  const report: IngestReport = { files: [], published: 0, rejected: 0 };
  const started = Date.now();
  let lastLog = started;
  try {
    for (const [i, file] of opts.files.entries()) {
      const stats = { file, read: 0, published: 0, rejected: 0 };
      report.files.push(stats);
      const records = formats[i] === 'csv' ? readCsv(file, fixedType, encoding) : readJsonLines(file, encoding);
      for await (const rec of records) {
        stats.read++;
        let reason: string | undefined;
        if ('error' in rec) reason = rec.error;
        else {
          const value = rec.value as Record<string, unknown>;
          if (fixedType && value && typeof value === 'object' && !Array.isArray(value)) {
            if (value.type === undefined) value.type = fixedType;
            else if (value.type !== fixedType) reason = `type: ${String(value.type).slice(0, 40)} does not match --type ${fixedType}`;
          }
          if (!reason) {
            const d = decodeObject(value);
            if (d.ok) {
              // Keyed by the validated event, whose ids are normalised (" 3441080201" and
              // "3441080201" are one school, so one partition); the record goes as it came.
              await publisher.add(d.event, JSON.stringify(value));
              stats.published++;
            } else reason = d.reason;
          }
        }
        if (reason) {
          stats.rejected++;
          opts.onReject({ file, line: rec.line, reason });
        }
        if (stats.read % 10_000 === 0 && Date.now() - lastLog > 2000) {
          lastLog = Date.now();
          log.info('ingest progress', { file, read: stats.read, rejected: stats.rejected, per_s: Math.round(stats.read / ((Date.now() - started) / 1000)) });
        }
      }
      await publisher.flush();
      report.published += stats.published;
      report.rejected += stats.rejected;
    }
  } catch (err) {
    if ((err as Error).name?.startsWith('KafkaJS')) throw kafkaError('publishing failed', err, config.kafka.brokers);
    throw err;
  } finally {
    await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
  }
  return report;
}

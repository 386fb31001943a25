/** The kafkajs client for the configured brokers, logging through our logger. */
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { registerCodecs } from './codecs.ts';
import type { Config } from './config.ts';
import { EdumonError, messageOf } from './errors.ts';
import type { Logger } from './log.ts';

/** A kafkajs client whose own log lines (warnings and errors only) go to our logger, with every Kafka codec. */
export function createKafka(config: Pick<Config, 'kafka'>, log: Logger, clientSuffix = ''): Kafka {
  registerCodecs();
  const klog = log.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: config.kafka.clientId + clientSuffix,
    brokers: config.kafka.brokers,
    connectionTimeout: 3000,
    requestTimeout: 30000,
    retry: { initialRetryTime: 300, retries: 8, maxRetryTime: 10_000 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }) => {
        const { message, broker, error } = entry as { message: string; broker?: string; error?: string };
        const fields = { ...(broker ? { broker } : {}), ...(error ? { error } : {}) };
        // Coordinator elections at start-up are retried by kafkajs and are not worth a warning.
        const transient = /coordinator is not available|not the correct coordinator|leadership election/i.test(error ?? '');
        if (level === logLevel.ERROR && !transient) klog.warn(message, fields);
        else klog.debug(message, fields);
      },
  });
}

/** Creates the topics that do not exist yet. */
export async function ensureTopics(admin: Admin, topics: string[], partitions: number): Promise<void> {
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length === 0) return;
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })),
    });
  } catch (err) {
    throw kafkaError('cannot create topics', err);
  }
}

/** Wraps a kafkajs failure in an error naming the brokers. */
export function kafkaError(what: string, err: unknown, brokers?: string[]): EdumonError {
  const where = brokers ? ` (brokers ${brokers.join(',')})` : '';
  return new EdumonError(`${what}${where}: ${messageOf(err)}`, { retriable: true, cause: err });
}

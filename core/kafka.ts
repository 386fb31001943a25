/** The kafkajs client for the configured brokers, logging through our logger. */
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { registerCodecs } from './codecs.ts';
import type { Config } from './config.ts';
import { EdumonError, messageOf } from './errors.ts';
import type { Logger } from './log.ts';

/**
 * A kafkajs client whose own log lines (warnings and errors only) go to our logger, with every
 * Kafka codec. `quick`: no retries and a 2 s connection timeout, for a check that must answer at
 * once whether the broker is there (a command on a stopped warehouse).
 */
export function createKafka(config: Pick<Config, 'kafka'>, log: Logger, clientSuffix = '', quick = false): Kafka {
  registerCodecs();
  const klog = log.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: config.kafka.clientId + clientSuffix,
    brokers: config.kafka.brokers,
    connectionTimeout: quick ? 2000 : 3000,
    requestTimeout: quick ? 5000 : 30000,
    retry: quick ? { retries: 0 } : { initialRetryTime: 300, retries: 8, maxRetryTime: 10_000 },
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

/**
 * Creates the topics that do not exist yet, with `configs` (topic -> settings such as retention.ms);
 * a topic that exists with other values for those settings is brought to them.
 */
export async function ensureTopics(admin: Admin, topics: string[], partitions: number, configs: Record<string, Record<string, string>> = {}): Promise<void> {
  let existing: Set<string>;
  try {
    existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: partitions,
          replicationFactor: 1,
          configEntries: Object.entries(configs[topic] ?? {}).map(([name, value]) => ({ name, value })),
        })),
      });
    }
  } catch (err) {
    throw kafkaError('cannot create topics', err);
  }
  for (const topic of topics.filter((t) => existing.has(t) && configs[t])) {
    try {
      await alignTopicConfig(admin, topic, configs[topic]!);
    } catch (err) {
      const wanted = Object.entries(configs[topic]!)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ');
      throw kafkaError(`cannot set ${wanted} on topic ${topic} (does edumon's Kafka user have AlterConfigs on it?)`, err);
    }
  }
}

/**
 * Sets a topic's settings to `wanted` if any differs. AlterConfigs (kafkajs has no incremental
 * variant) replaces every topic-level override, so the others the topic has are sent back unchanged.
 */
/** kafkajs's TOPIC_RESOURCE and TOPIC_OVERRIDE (its CommonJS enums are no ES named exports). */
const TOPIC_RESOURCE = 2;
const TOPIC_OVERRIDE = 1;

async function alignTopicConfig(admin: Admin, topic: string, wanted: Record<string, string>): Promise<void> {
  const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: TOPIC_RESOURCE, name: topic }] });
  const entries = described.resources[0]?.configEntries ?? [];
  if (Object.entries(wanted).every(([name, value]) => entries.some((e) => e.configName === name && e.configValue === value))) return;
  const overrides = entries.filter((e) => e.configSource === TOPIC_OVERRIDE && !(e.configName in wanted) && !e.isSensitive);
  const configEntries = [
    ...overrides.map((e) => ({ name: e.configName, value: e.configValue })),
    ...Object.entries(wanted).map(([name, value]) => ({ name, value })),
  ];
  await admin.alterConfigs({ validateOnly: false, resources: [{ type: TOPIC_RESOURCE, name: topic, configEntries }] });
}

/** Wraps a kafkajs failure in an error naming the brokers. */
export function kafkaError(what: string, err: unknown, brokers?: string[]): EdumonError {
  const where = brokers ? ` (brokers ${brokers.join(',')})` : '';
  return new EdumonError(`${what}${where}: ${messageOf(err)}`, { cause: err });
}

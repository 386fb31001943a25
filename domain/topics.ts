/**
 * Families, feeds and topic names: which streams carry the contract's events, and what their
 * topics are called under the configured prefix.
 */
import type { Config } from '../core/config.ts';

/** Topic-level settings of the topics edumon creates and keeps: the DLQ's retention. */
export function topicConfigsOf(config: Pick<Config, 'kafka'>): Record<string, Record<string, string>> {
  return { [topicsOf(config).dlq]: { 'retention.ms': String(Math.round(config.kafka.dlqRetentionDays * 86_400_000)) } };
}

/**
 * The topic families that carry contract events, in the order files, topics and reports list them.
 * domain/contract.ts assigns every event type to one.
 */
export const families = ['registry', 'admission', 'enrollment', 'funding'] as const;
export type Family = (typeof families)[number];

/**
 * The feeds: the streams whose event-time progress the warehouse tracks (a topic family, split
 * where one topic carries sources with different calendars: funding carries payroll and funds).
 * The config's per-feed settings (core/config.ts feeds) name each; domain/contract.ts assigns every event type to one.
 */
export const feeds = ['registry', 'admission', 'enrollment', 'payroll', 'funds'] as const;
export type Feed = (typeof feeds)[number];

/**
 * Each feed's name for a person, Chinese and English: what the digest's data-quality lines and
 * DQ-STALE-FEED's alerts call it (`数据源 工资社保发放`), never its key.
 */
export const feedLabels: Readonly<Record<Feed, { zh: string; en: string }>> = {
  registry: { zh: '学校名录', en: 'school registry' },
  admission: { zh: '招生平台', en: 'admission platform' },
  enrollment: { zh: '在园在校人数', en: 'enrolment counts' },
  payroll: { zh: '工资社保发放', en: 'wages and insurance' },
  funds: { zh: '经费拨付', en: 'funds' },
};

/** Topic names under the configured prefix: one per family, and the DLQ. */
export function topicsOf(config: Pick<Config, 'kafka'>): Readonly<Record<Family | 'dlq', string>> {
  const p = config.kafka.topicPrefix;
  return Object.fromEntries([...families, 'dlq' as const].map((name) => [name, `${p}${name}`])) as Record<Family | 'dlq', string>;
}

/** The event topics' names (every family's, not the DLQ), in family order. */
export function eventTopicsOf(config: Pick<Config, 'kafka'>): string[] {
  const topics = topicsOf(config);
  return families.map((f) => topics[f]);
}

/** The family of each event topic, by topic name: how the consumer knows which types a topic may carry. */
export function familyByTopic(config: Pick<Config, 'kafka'>): ReadonlyMap<string, Family> {
  const topics = topicsOf(config);
  return new Map(families.map((f) => [topics[f], f]));
}

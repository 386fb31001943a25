/**
 * The DLQ holds originals with raw ids, so it is never kept forever: edumon creates it with the
 * configured retention.ms and brings an existing DLQ with another retention to it, keeping the
 * topic's other settings. Real CLI and broker.
 */
import { describe, expect, it } from 'vitest';
import { topicsOf } from '../../domain/topics.ts';
import { runEdumon } from '../helpers/cli.ts';
import { testKafka } from '../helpers/kafka.ts';
import { testEnv } from '../helpers/testEnv.ts';

/** kafkajs's ConfigResourceTypes.TOPIC. */
const TOPIC = 2;

/** The topic's settings that the topic itself overrides, by name. */
async function topicOverrides(topic: string): Promise<Record<string, string>> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const d = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: TOPIC, name: topic }] });
    return Object.fromEntries(
      (d.resources[0]?.configEntries ?? []).filter((e) => !e.isDefault && e.configSource === 1).map((e) => [e.configName, e.configValue]),
    );
  } finally {
    await admin.disconnect();
  }
}

describe('DLQ retention', () => {
  it('run creates the DLQ with 14 days of retention by default, and the event topics without', async () => {
    const t = testEnv('dlq-ret-default');
    const r = await runEdumon(['run', '--until-idle'], t.env);
    expect(r.code, r.output).toBe(0);
    expect(await topicOverrides(topicsOf(t.config).dlq)).toEqual({ 'retention.ms': String(14 * 86_400_000) });
    expect(await topicOverrides(topicsOf(t.config).admission)).toEqual({});
  });

  it('EDUMON_DLQ_RETENTION_DAYS changes an existing DLQ retention at the next start, keeping its other settings', async () => {
    const t = testEnv('dlq-ret-change');
    const dlq = topicsOf(t.config).dlq;
    expect((await runEdumon(['run', '--until-idle'], t.env)).code).toBe(0);
    const admin = testKafka().admin();
    await admin.connect();
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: TOPIC,
          name: dlq,
          configEntries: [
            { name: 'retention.ms', value: '-1' },
            { name: 'max.message.bytes', value: '2097152' },
          ],
        },
      ],
    });
    await admin.disconnect();
    const r = await runEdumon(['run', '--until-idle'], { ...t.env, EDUMON_DLQ_RETENTION_DAYS: '3' });
    expect(r.code, r.output).toBe(0);
    expect(await topicOverrides(dlq)).toEqual({ 'retention.ms': String(3 * 86_400_000), 'max.message.bytes': '2097152' });
  });

  it('a retention that is not a positive number of days is refused at start-up, naming the variable', async () => {
    const t = testEnv('dlq-ret-bad');
    const r = await runEdumon(['run', '--until-idle'], { ...t.env, EDUMON_DLQ_RETENTION_DAYS: '0' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('EDUMON_DLQ_RETENTION_DAYS');
  });
});

/** A fresh, isolated edumon environment per test: own topics, consumer group, warehouse and key. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Config, loadConfig } from '../../core/config.ts';

export const TEST_KEY = 'test-pseudonym-key-0123456789abcdef';

export interface TestEnv {
  dir: string;
  env: Record<string, string>;
  config: Config;
}

export function testEnv(name: string, extra: Record<string, string> = {}): TestEnv {
  const dir = mkdtempSync(join(tmpdir(), `edumon-${name}-`));
  const id = `${name}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  const env = {
    EDUMON_ENV: 'test',
    EDUMON_PSEUDONYM_KEY: TEST_KEY,
    EDUMON_TOPIC_PREFIX: `${id}.`,
    EDUMON_GROUP_ID: `${id}-group`,
    EDUMON_WAREHOUSE: join(dir, 'warehouse.duckdb'),
    EDUMON_KAFKA_BROKERS: '127.0.0.1:9092',
    // A SIGKILLed consumer holds its partitions this long; keep restarts in tests quick.
    EDUMON_KAFKA_SESSION_TIMEOUT_MS: '6000',
    // Tests drive rules by hand unless they turn the schedule on (extra).
    EDUMON_RULES_SCHEDULE: 'off',
    // Test files run side by side: each service's console on a free port (the service file names it).
    EDUMON_CONSOLE_PORT: '0',
    ...extra,
  };
  return { dir, env, config: loadConfig({ env }) };
}

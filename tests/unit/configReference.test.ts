/**
 * docs/configuration.md takes each key's meaning from its JSDoc comment in core/config.ts
 * (tools/configKeys.ts): a key added without one fails here, naming it, and so does an environment
 * variable that lands on no key.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { envMap, loadConfig } from '../../core/config.ts';
import { configKeys } from '../../tools/configKeys.ts';
import { configurationMarkdown, SECRET_KEYS, SECTIONS } from '../../tools/configReference.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const source = readFileSync(join(ROOT, 'core/config.ts'), 'utf8');
const keys = configKeys(source, 'configSchema');

describe('the configuration keys', () => {
  it('every key and group of keys has a meaning (a /** ... */ comment above it in core/config.ts)', () => {
    expect(keys.filter((k) => k.meaning === '').map((k) => k.path)).toEqual([]);
  });

  it("every contact field has a meaning (contactSchema's and escalationSchema's)", () => {
    expect(configKeys(source, 'escalationSchema').filter((k) => k.meaning === '')).toEqual([]);
  });

  it('every environment variable lands on a key that holds a value', () => {
    const leaves = new Set(keys.filter((k) => !k.object).map((k) => k.path));
    expect(envMap.map(([, path]) => path.join('.')).filter((p) => !leaves.has(p))).toEqual([]);
  });

  it("every secret's comment says it is never logged", () => {
    for (const path of SECRET_KEYS) expect(keys.find((k) => k.path === path)?.meaning, path).toMatch(/never logged/);
  });

  it('reads nested objects, consts, .extend() and builder functions, and collapses a comment onto one line', () => {
    const paths = keys.map((k) => k.path);
    expect(paths).toContain('kafka.brokers');
    expect(paths).toContain('console.sessionIdleMinutes');
    expect(paths).toContain('notify.contacts');
    expect(paths).toContain('feeds.payroll.maxQuietDays');
    expect(paths).not.toContain('notify.contacts.id');
    expect(configKeys(source, 'escalationSchema').map((k) => k.path)).toEqual(['id', 'name', 'email', 'minSeverity', 'language', 'region']);
    expect(keys.find((k) => k.path === 'kafka.dlqRetentionDays')?.meaning).toMatch(
      /^How long the DLQ topic keeps rejected messages, which are the originals with raw student and staff ids: /,
    );
  });
});

describe('docs/configuration.md', () => {
  const doc = configurationMarkdown(source, loadConfig({ env: {} }));
  const row = (key: string) => doc.split('\n').find((line) => line.startsWith(`| \`${key}\` |`));

  it('gives a key its variable, default, type and meaning', () => {
    expect(row('kafka.partitions')).toBe(
      '| `kafka.partitions` | `EDUMON_KAFKA_PARTITIONS` | `4` | integer (≥ 1, ≤ 256) | Partitions of the topics edumon creates when they are missing. |',
    );
  });

  it('says "config file only" for a key without a variable, and "unset" for one without a default', () => {
    expect(row('console.sessionIdleMinutes')).toContain('| config file only | `120` |');
    expect(row('service.token')).toContain('| `EDUMON_SERVICE_TOKEN` | unset |');
  });

  it('has one section per group, the failpoints last', () => {
    const sections = doc.split('\n').filter((line) => line.startsWith('## '));
    expect(sections[0]).toBe('## Top-level keys');
    expect(sections.at(-1)).toBe('## `failpoints` (tests only)');
    // Every group in the reader's order (the generator refuses a group of the schema it does not place).
    expect(sections.slice(1).map((h) => /`([a-z]+)`/.exec(h)?.[1])).toEqual(SECTIONS);
  });
});

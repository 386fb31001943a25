import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveLinkKey } from '../../core/linkKey.ts';
import { resolvePseudonymKey } from '../../ingest/pseudonymize.ts';

const LINK_KEY = 'link-key-0123456789abcdef0123456789abcdef';
const at = (warehouse: string, linkKey?: string, pseudonymKey?: string) => ({ warehouse, pseudonymKey, console: { linkKey } });

describe('resolveLinkKey', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edumon-linkkey-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('uses the configured key and writes no file', () => {
    const warehouse = join(dir, 'configured', 'w.duckdb');
    expect(resolveLinkKey(at(warehouse, LINK_KEY))).toBe(LINK_KEY);
    expect(existsSync(`${warehouse}.link-key`)).toBe(false);
  });

  it('creates a 0600 key file beside the warehouse once, then reuses it, leaving no draft behind', () => {
    const warehouse = join(dir, 'nested', 'dir', 'w.duckdb');
    const file = `${warehouse}.link-key`;
    const first = resolveLinkKey(at(warehouse));
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe(`${first}\n`);
    expect(resolveLinkKey(at(warehouse))).toBe(first);
    expect(readdirSync(join(dir, 'nested', 'dir'))).toEqual(['w.duckdb.link-key']);
  });

  it('is not the pseudonym key kept beside the same warehouse', () => {
    const warehouse = join(dir, 'both.duckdb');
    const pseudonym = resolvePseudonymKey({ warehouse, env: 'dev' });
    expect(resolveLinkKey(at(warehouse))).not.toBe(pseudonym);
    expect(existsSync(`${warehouse}.pseudonym-key`) && existsSync(`${warehouse}.link-key`)).toBe(true);
  });

  it('refuses a configured key that is the pseudonym key', () => {
    expect(() => resolveLinkKey(at(join(dir, 'same.duckdb'), LINK_KEY, LINK_KEY))).toThrow(/link key is the pseudonym key/);
  });

  it('gives an in-memory warehouse one random key per process, and no file', () => {
    const k = resolveLinkKey(at(':memory:'));
    expect(k).toMatch(/^[0-9a-f]{64}$/);
    expect(resolveLinkKey(at(':memory:'))).toBe(k);
    expect(existsSync(':memory:.link-key')).toBe(false);
  });

  it('refuses a key file holding under 32 characters instead of signing with a guessable key', () => {
    const warehouse = join(dir, 'short.duckdb');
    for (const content of ['\n', 'short-key\n']) {
      writeFileSync(`${warehouse}.link-key`, content, { mode: 0o600 });
      expect(() => resolveLinkKey(at(warehouse))).toThrow(/holds no usable key \(under 32 characters\); restore it, or set EDUMON_CONSOLE_LINK_KEY/);
    }
  });
});

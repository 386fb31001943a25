import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyAckLink } from '../../alerts/notify/alertLinks.ts';
import { consoleLinks } from '../../alerts/notify/consoleLinks.ts';
import { loadConfig } from '../../core/config.ts';

const LINK_KEY = 'link-key-0123456789abcdef0123456789abcdef';
const URL = 'https://edumon.jyj.example.cn/console';
const COMPOSED = '2025-07-12T02:55:10.000Z';
const DAY = 86_400_000;
const config = (env: Record<string, string>) => loadConfig({ env: { EDUMON_WAREHOUSE: ':memory:', ...env } });
const token = (ack: string) => ack.slice(`${URL}/l/`.length);

describe('consoleLinks', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edumon-links-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives no links without a public address, or with the console off: the email reads as before', () => {
    expect(consoleLinks(config({}), 'wuzhi', COMPOSED)).toBeNull();
    expect(consoleLinks(config({ EDUMON_CONSOLE_PUBLIC_URL: URL, EDUMON_CONSOLE_ENABLED: 'false' }), 'wuzhi', COMPOSED)).toBeNull();
  });

  it("links each alert to its page and to an acknowledge link for the recipient, good for linkTtlDays from the email's composition", () => {
    const linksOf = consoleLinks(config({ EDUMON_CONSOLE_PUBLIC_URL: URL, EDUMON_CONSOLE_LINK_KEY: LINK_KEY }), 'wuzhi', COMPOSED)!;
    const links = linksOf('9f86d081884c7d65');
    expect(links.view).toBe(`${URL}/alerts/9f86d081884c7d65`);
    const expiresAt = new Date(Date.parse(COMPOSED) + 7 * DAY);
    expect(verifyAckLink(token(links.ack), LINK_KEY, new Date(expiresAt.getTime() - 1000))).toEqual({
      ok: true,
      alertId: '9f86d081884c7d65',
      contactId: 'wuzhi',
      expiresAt,
    });
    expect(verifyAckLink(token(links.ack), LINK_KEY, expiresAt)).toEqual({ ok: false, reason: 'expired' });
  });

  it('makes the same links for the same recipient and moment, whenever it is asked (outbox ids and the preview rely on it)', () => {
    const c = config({ EDUMON_CONSOLE_PUBLIC_URL: URL, EDUMON_CONSOLE_LINK_KEY: LINK_KEY, EDUMON_CONSOLE_LINK_TTL_DAYS: '0.5' });
    const a = consoleLinks(c, 'wuzhi', COMPOSED)!('x1');
    expect(consoleLinks(c, 'wuzhi', COMPOSED)!('x1')).toEqual(a);
    expect(consoleLinks(c, 'city', COMPOSED)!('x1').ack).not.toBe(a.ack);
    expect(verifyAckLink(token(a.ack), LINK_KEY, new Date(COMPOSED))).toMatchObject({ ok: true, expiresAt: new Date(Date.parse(COMPOSED) + DAY / 2) });
  });

  it('signs with the key kept beside the warehouse when none is configured', () => {
    const warehouse = join(dir, 'w.duckdb');
    const links = consoleLinks(config({ EDUMON_WAREHOUSE: warehouse, EDUMON_CONSOLE_PUBLIC_URL: URL }), 'wuzhi', COMPOSED)!('x1');
    const kept = readFileSync(`${warehouse}.link-key`, 'utf8').trim();
    expect(verifyAckLink(token(links.ack), kept, new Date(COMPOSED)).ok).toBe(true);
  });
});

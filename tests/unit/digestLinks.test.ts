import { describe, expect, it } from 'vitest';
import { digestRendering } from '../../alerts/digest/digestEmails.ts';
import { verifyAckLink } from '../../alerts/notify/alertLinks.ts';
import { loadConfig } from '../../core/config.ts';

const LINK_KEY = 'link-key-0123456789abcdef0123456789abcdef';
const URL = 'https://edumon.jyj.example.cn/console';
const COMPOSED = '2025-07-07T00:30:00.000Z';
const config = (env: Record<string, string>) => loadConfig({ env: { EDUMON_WAREHOUSE: ':memory:', ...env } });

describe('digestRendering links', () => {
  it("gives a recipient's digest each listed alert's page and an acknowledge link signed for that recipient, good for linkTtlDays", () => {
    const options = digestRendering(config({ EDUMON_CONSOLE_PUBLIC_URL: URL, EDUMON_CONSOLE_LINK_KEY: LINK_KEY }))('zh-CN', '410800', {
      contactId: 'city',
      composedAt: COMPOSED,
    });
    const links = options.links!('a-20250612-0007');
    expect(links.view).toBe(`${URL}/alerts/a-20250612-0007`);
    expect(verifyAckLink(links.ack!.slice(`${URL}/l/`.length), LINK_KEY, new Date(COMPOSED))).toEqual({
      ok: true,
      alertId: 'a-20250612-0007',
      contactId: 'city',
      expiresAt: new Date('2025-07-14T00:30:00Z'),
    });
  });

  it('gives a digest whose reader is not known (a preview by region) the pages only, and none without a public address', () => {
    const preview = digestRendering(config({ EDUMON_CONSOLE_PUBLIC_URL: URL }))('zh-CN', '410823');
    expect(preview.links!('a-1')).toEqual({ view: `${URL}/alerts/a-1` });
    expect(digestRendering(config({}))('zh-CN', '410800', { contactId: 'city', composedAt: COMPOSED }).links).toBeUndefined();
    expect(digestRendering(config({ EDUMON_CONSOLE_PUBLIC_URL: URL, EDUMON_CONSOLE_ENABLED: 'false' }))('zh-CN', '410800').links).toBeUndefined();
  });
});

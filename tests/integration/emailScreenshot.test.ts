/**
 * The sample alert email (alerts/notify/sampleEmail.ts) as a reader's mail client shows it: headless
 * Chromium (/usr/bin/chromium; apt-get install chromium fonts-noto-cjk), offline, every request
 * refused and counted.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderEmail } from '../../alerts/notify/render.ts';
import { sampleEmailModel } from '../../alerts/notify/sampleEmail.ts';
import { renderInBrowser } from '../../tools/renderInBrowser.ts';

const dir = mkdtempSync(join(tmpdir(), 'edumon-email-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('the alert email in a browser', () => {
  it('counts what a page asks of the network (so zero below means zero)', async () => {
    const view = await renderInBrowser(
      '<!DOCTYPE html><html><body><img src="http://127.0.0.1:9/x.png"><link rel="stylesheet" href="https://fonts.example/c.css"></body></html>',
      join(dir, 'remote.png'),
    );
    expect(view.requests.sort()).toEqual(['http://127.0.0.1:9/x.png', 'https://fonts.example/c.css']);
  });

  it('shows the sample email offline, no wider than 640 px, with its region and rules, as a real PNG', async () => {
    const model = sampleEmailModel();
    const email = renderEmail(model);
    const png = join(dir, 'alert-email.png');
    const view = await renderInBrowser(email.html, png);

    expect(view.requests).toEqual([]);
    expect(view.emailWidth).toBe(600);
    expect(view.documentWidth).toBeLessThanOrEqual(640);

    expect(email.subject).toContain('武陟县');
    expect(view.text).toContain('武陟县');
    for (const title of new Set(model.items.map((i) => i.ruleTitle))) expect(view.text).toContain(title);
    expect(view.text).toContain('武陟县𠮷祥高级中学');
    expect(view.text).toContain('再次出现');
    expect(view.text).toContain('已恢复');
    expect(view.text).toContain('2025-07-12 10:55（北京时间）');
    // The picture in the README says a result as an official reads it, never the rule's key (issue 22).
    expect(view.text).toContain('室外游戏场地生均面积 3.2 平方米/生，低于 4 平方米/生');
    expect(view.text).not.toContain('outdoor');

    const bytes = readFileSync(png);
    expect(bytes.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    // IHDR: width and height, big-endian, at bytes 16 and 20.
    expect(bytes.readUInt32BE(16)).toBe(640);
    expect(bytes.readUInt32BE(20)).toBeGreaterThan(900);
    // A blank page compresses to a few kilobytes; five alerts of CJK text do not.
    expect(bytes.length).toBeGreaterThan(40_000);
  });
});

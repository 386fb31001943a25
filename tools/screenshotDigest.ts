/**
 * `node --import tsx tools/screenshotDigest.ts [out.png]`: the README's picture of the weekly
 * digest (default docs/img/weekly-digest.png): the city's digest of 2025-W27 of the simulator's
 * year (tools/yearDigest.ts, a tenth of Jiaozuo's schools), shown in headless Chromium, offline, its
 * top 1,800 px. The trend pictures are cid: attachments, which a browser cannot resolve: for the
 * screenshot only they are inlined as data: URLs. Exit 1 if the digest asked for the network, an
 * image did not load or it is wider than the viewport; 2 on a usage error.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RenderedDigest } from '../alerts/digest/model.ts';
import { loadConfig } from '../core/config.ts';
import { EdumonError } from '../core/errors.ts';
import { inlineCidImages } from './inlineCidImages.ts';
import { pngOutArg } from './pngOutArg.ts';
import { type BrowserView, renderInBrowser } from './renderInBrowser.ts';
import { runIfMain } from './runIfMain.ts';
import { yearDigest } from './yearDigest.ts';

const ROOT = join(import.meta.dirname, '..');
/** A little wider than the 640 px digest, as a mail client's reading pane gives it. */
export const DIGEST_VIEWPORT = { width: 680, height: 1000 };
/** The digest the README shows: the city's of 2025-W27 (a week of admission season) of the simulator's year at scale 0.1. */
export const README_DIGEST = { scale: 0.1, week: '2025-W27' } as const;
/** How much of the digest the README shows: its data quality, what got worse and the first figures, not all 7,000 px. */
const README_HEIGHT = 1800;

const HELP = `usage: node --import tsx tools/screenshotDigest.ts [out.png]

Simulates a tenth of Jiaozuo's year, stores it in a scratch warehouse, renders the city's digest
of ${README_DIGEST.week} in headless Chromium with every network request refused and its cid: trend
images inlined, and writes a PNG of its top ${README_HEIGHT} px (default: docs/img/weekly-digest.png).
Needs /usr/bin/chromium and CJK fonts (apt-get install -y chromium fonts-noto-cjk) or EDUMON_CHROMIUM.`;

/** The top README_HEIGHT px of `digest` as a mail client's reading pane shows it, written to `out` (PNG). */
export function screenshotDigest(digest: RenderedDigest, out: string): Promise<BrowserView> {
  return renderInBrowser(inlineCidImages(digest.html, digest.attachments), out, {
    mainId: 'edumon-digest',
    viewport: { width: DIGEST_VIEWPORT.width, height: README_HEIGHT },
    fullPage: false,
  });
}

async function main(argv: string[]): Promise<number> {
  const out = pngOutArg(argv, HELP, join(ROOT, 'docs', 'img', 'weekly-digest.png'));
  if (typeof out === 'number') return out;
  const scratch = mkdtempSync(join(tmpdir(), 'edumon-readme-digest-'));
  try {
    process.stdout.write(`simulating a tenth of Jiaozuo's year into ${scratch} and building the city's ${README_DIGEST.week} digest…\n`);
    const config = loadConfig({ env: {} });
    const digest = await yearDigest(scratch, config, { ...README_DIGEST, pseudonymKey: 'edumon-readme-picture-key-not-a-secret' });
    const view = await screenshotDigest(digest, out);
    const broken = view.images.filter((i) => i.naturalWidth === 0);
    process.stdout.write(
      `wrote ${out}\nsubject: ${digest.subject}\nHTML ${Buffer.byteLength(digest.html)} bytes, ${view.images.length} images; digest width ${view.emailWidth} px, document ${view.documentWidth} px\n`,
    );
    if (view.requests.length > 0) throw new EdumonError(`the digest asked for the network: ${view.requests.join(', ')}`);
    if (broken.length > 0) throw new EdumonError(`${broken.length} images did not load: ${broken.map((i) => i.src).join(', ')}`);
    if (view.documentWidth > DIGEST_VIEWPORT.width)
      throw new EdumonError(`the digest is ${view.documentWidth} px wide, more than the ${DIGEST_VIEWPORT.width} px viewport`);
    return 0;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, 'screenshotDigest', main);

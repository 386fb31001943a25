/**
 * `node --import tsx bin/screenshotDigest.ts [out.png]`: renders the sample weekly digest
 * (alerts/digest/sampleDigest.ts, the city's, all 12 regions) and screenshots it in headless
 * Chromium, offline, for the README's picture (default docs/img/weekly-digest.png). The trend
 * pictures are cid: attachments, which a browser cannot resolve: for the screenshot only they are
 * inlined as data: URLs. Exit 1 if the digest asked for the network, an image did not load or it is
 * wider than the viewport; 2 on a usage error.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { renderDigest } from '../alerts/digest/render.ts';
import { SAMPLE_RULE_TITLES, sampleDigest, sampleFigureDefs } from '../alerts/digest/sampleDigest.ts';
import { EdumonError, messageOf } from '../core/errors.ts';
import { inlineCidImages } from './inlineCidImages.ts';
import { renderInBrowser } from './renderInBrowser.ts';

const ROOT = join(import.meta.dirname, '..');
/** A little wider than the 640 px digest, as a mail client's reading pane gives it. */
export const DIGEST_VIEWPORT = { width: 680, height: 1000 };
const HELP = `usage: node --import tsx bin/screenshotDigest.ts [out.png]

Renders the sample weekly digest (alerts/digest/sampleDigest.ts) in headless Chromium with every
network request refused, its cid: trend images inlined, and writes a PNG of its top 1,800 px
(default: docs/img/weekly-digest.png).
Needs /usr/bin/chromium and CJK fonts (apt-get install -y chromium fonts-noto-cjk) or EDUMON_CHROMIUM.`;

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (argv.length > 1 || argv.some((a) => a.startsWith('-'))) {
    process.stderr.write(`${HELP}\n`);
    return 2;
  }
  const out = resolve(argv[0] ?? join(ROOT, 'docs', 'img', 'weekly-digest.png'));
  mkdirSync(dirname(out), { recursive: true });
  const digest = await renderDigest(sampleDigest(), { language: 'zh-CN', defs: sampleFigureDefs(), ruleTitle: (rule) => SAMPLE_RULE_TITLES[rule] });
  // The README's picture: the top of the digest (its data quality, what got worse, the first figures), not all 7,000 px.
  const view = await renderInBrowser(inlineCidImages(digest.html, digest.attachments), out, {
    mainId: 'edumon-digest',
    viewport: { width: DIGEST_VIEWPORT.width, height: 1800 },
    fullPage: false,
  });
  const broken = view.images.filter((i) => i.naturalWidth === 0);
  process.stdout.write(
    `wrote ${out}\nsubject: ${digest.subject}\nHTML ${Buffer.byteLength(digest.html)} bytes, ${view.images.length} images; digest width ${view.emailWidth} px, document ${view.documentWidth} px\n`,
  );
  if (view.requests.length > 0) throw new EdumonError(`the digest asked for the network: ${view.requests.join(', ')}`);
  if (broken.length > 0) throw new EdumonError(`${broken.length} images did not load: ${broken.map((i) => i.src).join(', ')}`);
  if (view.documentWidth > DIGEST_VIEWPORT.width)
    throw new EdumonError(`the digest is ${view.documentWidth} px wide, more than the ${DIGEST_VIEWPORT.width} px viewport`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`screenshotDigest: ${messageOf(err)}\n`);
    process.exitCode = 1;
  },
);

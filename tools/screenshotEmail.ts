/**
 * `node --import tsx tools/screenshotEmail.ts [out.png]`: renders the sample alert email
 * (alerts/notify/sampleEmail.ts) and screenshots it in headless Chromium, offline, for the
 * README's picture (default docs/img/alert-email.png). Exit 1 if the email asked for the network
 * or is wider than the viewport; 2 on a usage error.
 */
import { join } from 'node:path';
import { renderEmail } from '../alerts/notify/render.ts';
import { sampleEmailModel } from '../alerts/notify/sampleEmail.ts';
import { EdumonError, messageOf } from '../core/errors.ts';
import { pngOutArg } from './pngOutArg.ts';
import { renderInBrowser, VIEWPORT } from './renderInBrowser.ts';

const ROOT = join(import.meta.dirname, '..');
const HELP = `usage: node --import tsx tools/screenshotEmail.ts [out.png]

Renders the sample alert email (alerts/notify/sampleEmail.ts) in headless Chromium with every
network request refused and writes a full-page PNG (default: docs/img/alert-email.png).
Needs /usr/bin/chromium and CJK fonts (apt-get install -y chromium fonts-noto-cjk) or EDUMON_CHROMIUM.`;

async function main(argv: string[]): Promise<number> {
  const out = pngOutArg(argv, HELP, join(ROOT, 'docs', 'img', 'alert-email.png'));
  if (typeof out === 'number') return out;
  const email = renderEmail(sampleEmailModel());
  const view = await renderInBrowser(email.html, out);
  process.stdout.write(`wrote ${out}\nsubject: ${email.subject}\nemail width ${view.emailWidth} px, document ${view.documentWidth} px\n`);
  if (view.requests.length > 0) throw new EdumonError(`the email asked for the network: ${view.requests.join(', ')}`);
  if (view.documentWidth > VIEWPORT.width) throw new EdumonError(`the email is ${view.documentWidth} px wide, more than the ${VIEWPORT.width} px viewport`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`screenshotEmail: ${messageOf(err)}\n`);
    process.exitCode = 1;
  },
);

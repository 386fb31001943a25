/**
 * Loads an email's HTML into headless Chromium as a mail client would show it, offline: every
 * request the page makes (an image, a font, a stylesheet) is refused and recorded, so a body that
 * reaches for the network is caught. Measures the layout, reads the visible text and takes a
 * full-page PNG. For tools/screenshotEmail.ts and tests/integration/emailScreenshot.test.ts;
 * playwright-core is a development dependency, so nothing edumon runs imports this.
 */
import { chromium } from 'playwright-core';
import { loadConfig } from '../core/config.ts';
import { EdumonError } from '../core/errors.ts';

/** The viewport: a little wider than the 600 px email, the width a narrow mail client pane gives it. */
export const VIEWPORT = { width: 640, height: 900 };

/** What the browser showed. */
export interface BrowserView {
  /** Every URL the page asked for (all refused); an email-safe body asks for none. */
  requests: string[];
  /** Width in CSS px of the email's main table (`#edumon-email`), or null if it has none. */
  emailWidth: number | null;
  /** The document's scroll width in CSS px: above the viewport width, the reader scrolls sideways. */
  documentWidth: number;
  /** The text a reader sees (innerText of the body). */
  text: string;
  /** Every <img> of the page with its decoded width in pixels (0: it did not load). */
  images: Array<{ src: string; naturalWidth: number }>;
}

/** What to measure and at what width (default: the alert email's `#edumon-email` at VIEWPORT). */
export interface BrowserOptions {
  /** The id of the email's main table. */
  mainId?: string;
  viewport?: { width: number; height: number };
  /** The whole page (default), or only the viewport: the top of a long email, for a picture. */
  fullPage?: boolean;
  /** The Chromium to start; default: the config's render.chromium (EDUMON_CHROMIUM, else Debian's /usr/bin/chromium). */
  chromium?: string;
}

/**
 * Shows `html` in headless Chromium at VIEWPORT and writes a full-page PNG to `pngPath`. Throws
 * EdumonError, naming the Chromium it tried, when the browser cannot start.
 */
export async function renderInBrowser(html: string, pngPath: string, opts: BrowserOptions = {}): Promise<BrowserView> {
  const executablePath = opts.chromium ?? loadConfig().render.chromium;
  const browser = await chromium.launch({ executablePath, args: ['--headless', '--no-sandbox'] }).catch((err: unknown) => {
    throw new EdumonError(`cannot start Chromium at ${executablePath} (apt-get install -y chromium fonts-noto-cjk, or set EDUMON_CHROMIUM)`, { cause: err });
  });
  try {
    const context = await browser.newContext({ viewport: opts.viewport ?? VIEWPORT, deviceScaleFactor: 1 });
    const page = await context.newPage();
    const requests: string[] = [];
    // setContent loads the document itself without a request, so whatever is asked for here is a resource of the email.
    page.on('request', (r) => {
      requests.push(r.url());
    });
    await page.route('**/*', (route) => route.abort('blockedbyclient'));
    await page.setContent(html, { waitUntil: 'load' });
    // A string, run in the page: edumon's TypeScript knows no DOM (tsconfig lib ES2023 only).
    const measured = (await page.evaluate(`(() => {
      const table = document.getElementById(${JSON.stringify(opts.mainId ?? 'edumon-email')});
      return {
        emailWidth: table ? table.getBoundingClientRect().width : null,
        documentWidth: document.documentElement.scrollWidth,
        text: document.body.innerText,
        images: Array.from(document.images, (i) => ({ src: i.src.slice(0, 80), naturalWidth: i.naturalWidth })),
      };
    })()`)) as Omit<BrowserView, 'requests'>;
    await page.screenshot({ path: pngPath, fullPage: opts.fullPage ?? true });
    return { requests: [...new Set(requests)], ...measured };
  } finally {
    await browser.close();
  }
}

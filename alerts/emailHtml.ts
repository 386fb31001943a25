/**
 * The HTML shell every email edumon sends sits in, the alert email's and the weekly digest's: a
 * gray page, one centred fixed-width white table (tables and inline styles only, what mail clients
 * keep), a dark banner, then the email's own rows. One shell, so the two emails look alike and a
 * fix for one mail client fixes both.
 */
import { visibleText } from '../core/text.ts';

/** The fonts, Chinese first: what Apple, Windows and Linux readers have. */
const FONT = `'PingFang SC','Microsoft YaHei','Noto Sans CJK SC','Source Han Sans SC','Helvetica Neue',Arial,sans-serif`;

/** What differs between the emails: the page's language and title, the main table's id and width in px, the banner. */
export interface EmailPage {
  lang: 'zh-CN' | 'en';
  /** The document title (the subject). */
  title: string;
  /** The main table's id (tests and the screenshot tools measure it). */
  id: string;
  /** The main table's width in CSS px. */
  width: number;
  /** Padding (CSS) around the main table. */
  margin: string;
  /** The banner's text, and its padding and font size (CSS declarations). */
  banner: string;
  bannerStyle: string;
}

/**
 * Most bytes of HTML an email may make: Gmail clips a message whose HTML passes about 102 KB (the
 * rest behind "View entire message", unseen). 100,000 leaves room whether a KB is counted as 1,000
 * bytes or 1,024. The alert email lists fewer alerts rather than reach it; the digest drops its links.
 */
export const HTML_MAX_BYTES = 100_000;

/** Text made safe as HTML content or a double- or single-quoted attribute. */
export function escapeHtml(text: string): string {
  return visibleText(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The whole HTML document: the shell of `page` around `rows` (each a `<tr>` of the main table), lines joined by `\n`. */
export function emailHtml(page: EmailPage, rows: readonly string[]): string {
  return [
    `<!DOCTYPE html><html lang="${page.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">`,
    `<title>${escapeHtml(page.title)}</title></head>`,
    `<body style="margin:0;padding:0;background:#f3f4f6">`,
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#f3f4f6"><tr><td align="center" style="padding:${page.margin}">`,
    `<table role="presentation" id="${page.id}" width="${page.width}" cellpadding="0" cellspacing="0" border="0" style="width:${page.width}px;max-width:${page.width}px;table-layout:fixed;background:#ffffff;border:1px solid #d1d5db;font-family:${FONT};color:#111827">`,
    `<tr><td style="${page.bannerStyle};background:#1f2937;color:#ffffff;font-weight:bold">${escapeHtml(page.banner)}</td></tr>`,
    ...rows,
    '</table></td></tr></table></body></html>',
  ].join('\n');
}

/**
 * Bytes to text, strictly. Lenient decoding turns every invalid byte into U+FFFD: a GBK file read
 * as UTF-8 was stored as rows of U+FFFD, and two student ids differing only in invalid bytes
 * became the same text, so the same pseudonym. Here a byte sequence that is not valid in its
 * encoding is reported with its position. A leading byte-order mark is dropped (Excel writes one).
 * UTF-8 is checked by Node itself; other encodings are read with iconv-lite.
 */
import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import { UsageError } from '../core/errors.ts';

/**
 * One unit (a message, a line) decoded: `invalidAt` is the 1-based position of the first byte
 * that is not valid in the encoding. `text` is there even then, decoded leniently, for a reader
 * that must still find where a record ends (the invalid bytes never decode to a quote or comma).
 */
export interface DecodedText {
  text: string;
  invalidAt?: number;
}

export interface TextEncoding {
  /** As the user would write it in a message: UTF-8, GB18030, ... */
  name: string;
  decode(bytes: Uint8Array): DecodedText;
}

const withoutBom = (s: string) => (s.charCodeAt(0) === 0xfeff ? s.slice(1) : s);
const asBuffer = (b: Uint8Array) => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength));

export const UTF8: TextEncoding = {
  name: 'UTF-8',
  decode(bytes) {
    const buf = asBuffer(bytes);
    const text = withoutBom(buf.toString('utf8'));
    return isUtf8(buf) ? { text } : { text, invalidAt: firstInvalidUtf8(buf) + 1 };
  },
};

/** The index of the first byte that does not start a well-formed UTF-8 sequence (RFC 3629), or -1. */
export function firstInvalidUtf8(b: Uint8Array): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    const more = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
    if (more === 0) return i;
    // The second byte's range excludes overlong forms, surrogates and code points over U+10FFFF.
    const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
    for (let k = 1; k <= more; k++) {
      const d = b[i + k];
      if (d === undefined || d < (k === 1 ? lo : 0x80) || d > (k === 1 ? hi : 0xbf)) return i;
    }
    i += more + 1;
  }
  return -1;
}

/**
 * Files are split into lines on their bytes, so an encoding must write `\r`, `\n`, `"` and `,`
 * as those ASCII bytes and never use them inside a character: GB18030, GBK, Big5, Shift_JIS,
 * EUC and the single-byte code pages do; UTF-16, UTF-32 and UTF-7 do not.
 */
const PROBE = '\r\n",';
const lineSafe = (name: string) =>
  !/^utf-?7/i.test(name) && iconv.encode(PROBE, name).equals(Buffer.from(PROBE)) && iconv.decode(Buffer.from(PROBE), name) === PROBE;

/** The encoding of `--encoding NAME`; an unknown or unsuitable name is a usage error that names it. */
export function textEncoding(name: string): TextEncoding {
  if (/^utf-?8$/i.test(name)) return UTF8;
  if (!iconv.encodingExists(name) || !lineSafe(name)) {
    throw new UsageError(
      `--encoding ${name.slice(0, 40)}: not an encoding edumon can read files in; use utf-8 (the default), gb18030, gbk, big5, shift_jis or another ASCII-compatible encoding`,
    );
  }
  return {
    name: name.toUpperCase(),
    decode(bytes) {
      const buf = asBuffer(bytes);
      const decoded = iconv.decode(buf, name, { stripBOM: false });
      const text = withoutBom(decoded);
      // iconv-lite writes U+FFFD for what it cannot read; a real U+FFFD encodes back to the same bytes.
      if (!decoded.includes('\uFFFD')) return { text };
      const back = iconv.encode(decoded, name);
      if (back.equals(buf)) return { text };
      let i = 0;
      while (i < buf.length && buf[i] === back[i]) i++;
      return { text, invalidAt: i + 1 };
    },
  };
}

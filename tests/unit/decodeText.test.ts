import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { firstInvalidUtf8, textEncoding, UTF8 } from '../../ingest/decodeText.ts';

const bytes = (...parts: Array<string | number[] | Buffer>) =>
  Buffer.concat(parts.map((p) => (Buffer.isBuffer(p) ? p : typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));

describe('UTF8.decode (strict)', () => {
  it('decodes valid UTF-8, Chinese included', () => {
    expect(UTF8.decode(Buffer.from('焦作市第一中学,XW2025-0001'))).toEqual({ text: '焦作市第一中学,XW2025-0001' });
  });

  it('drops a leading byte-order mark, and only a leading one', () => {
    expect(UTF8.decode(bytes([0xef, 0xbb, 0xbf], '{"a":1}'))).toEqual({ text: '{"a":1}' });
    expect(UTF8.decode(bytes('a', [0xef, 0xbb, 0xbf]))).toEqual({ text: 'a\uFEFF' });
  });

  it('reports the 1-based byte where invalid UTF-8 starts: ids differing only in bad bytes are no longer the same text', () => {
    const a = UTF8.decode(bytes('RAWSTU-C-', [0xff]));
    const b = UTF8.decode(bytes('RAWSTU-C-', [0xfe]));
    expect(a.invalidAt).toBe(10);
    expect(b.invalidAt).toBe(10);
  });

  it('rejects GBK text (a CSV saved by Excel on Chinese Windows) at its first Chinese byte', () => {
    expect(UTF8.decode(bytes('s1,', iconv.encode('焦作市幼儿园', 'gbk'))).invalidAt).toBe(4);
  });
});

describe('firstInvalidUtf8', () => {
  it.each([
    ['a lone continuation byte', [0x41, 0x80], 1],
    ['an overlong form', [0xc0, 0x80], 0],
    ['a UTF-16 surrogate', [0x41, 0x41, 0xed, 0xa0, 0x80], 2],
    ['a code point over U+10FFFF', [0xf4, 0x90, 0x80, 0x80], 0],
    ['a truncated sequence at the end', [0x41, 0xe7, 0x84], 1],
    ['a byte that never occurs (0xFF)', [0xff], 0],
  ])('finds %s', (_what, b, at) => {
    expect(firstInvalidUtf8(Uint8Array.from(b))).toBe(at);
  });

  it('agrees with TextDecoder({ fatal: true }) on what is valid', () => {
    const strict = new TextDecoder('utf-8', { fatal: true });
    for (const b of [
      [0xe7, 0x84, 0xa6],
      [0xf0, 0x9f, 0x98, 0x80],
      [0xed, 0x9f, 0xbf],
      [0xe0, 0x9f, 0x80],
      [0xf0, 0x8f, 0x80, 0x80],
    ]) {
      let valid = true;
      try {
        strict.decode(Uint8Array.from(b));
      } catch {
        valid = false;
      }
      expect(firstInvalidUtf8(Uint8Array.from(b)) === -1, JSON.stringify(b)).toBe(valid);
    }
  });
});

describe('textEncoding', () => {
  it('reads GB18030 and GBK (aliases and case as the user types them)', () => {
    const gbk = iconv.encode('焦作市幼儿园,张三', 'gbk');
    for (const name of ['gb18030', 'GB18030', 'gbk', 'GBK', 'cp936']) expect(textEncoding(name).decode(gbk)).toEqual({ text: '焦作市幼儿园,张三' });
  });

  it('is UTF-8 for utf-8, utf8 and UTF-8', () => {
    for (const name of ['utf-8', 'utf8', 'UTF-8']) expect(textEncoding(name)).toBe(UTF8);
  });

  it('reports bytes that are not valid GB18030 with their position, and reads a real U+FFFD', () => {
    const enc = textEncoding('gb18030');
    expect(enc.decode(bytes('ab', [0x81, 0x20], 'cd')).invalidAt).toBe(3);
    expect(enc.decode(bytes('ab', [0x81]))).toMatchObject({ invalidAt: 3 });
    expect(enc.decode(iconv.encode('a\uFFFDb', 'gb18030'))).toEqual({ text: 'a\uFFFDb' });
  });

  it('drops a GB18030 byte-order mark', () => {
    expect(textEncoding('gb18030').decode(bytes([0x84, 0x31, 0x95, 0x33], 'a'))).toEqual({ text: 'a' });
  });

  it('refuses an unknown encoding as a usage error (exit 2) that names it', () => {
    expect(() => textEncoding('klingon')).toThrow(/^--encoding klingon: not an encoding edumon can read files in; use utf-8 \(the default\), gb18030/);
    try {
      textEncoding('klingon');
    } catch (err) {
      expect((err as { exitCode: number }).exitCode).toBe(2);
    }
  });

  it('refuses encodings whose lines cannot be split on their bytes (UTF-16, UTF-32, UTF-7)', () => {
    for (const name of ['utf16le', 'utf-16', 'utf32', 'utf7']) expect(() => textEncoding(name)).toThrow(`--encoding ${name}: not an encoding`);
  });
});

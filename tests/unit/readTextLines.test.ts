import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { textEncoding } from '../../ingest/decodeText.ts';
import { readTextLines, type TextLine } from '../../ingest/readTextLines.ts';

const dir = mkdtempSync(join(tmpdir(), 'edumon-lines-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
async function lines(content: Buffer | string, encoding?: string): Promise<TextLine[]> {
  const f = join(dir, `f${n++}.txt`);
  writeFileSync(f, content);
  const out: TextLine[] = [];
  for await (const l of readTextLines(f, encoding === undefined ? undefined : textEncoding(encoding))) out.push(l);
  return out;
}
const texts = (ls: TextLine[]) => ls.map((l) => l.text);

describe('readTextLines', () => {
  it('ends lines at \\n, \\r\\n and a lone \\r, numbering from 1, with or without a last line break', async () => {
    expect(await lines('a\nb\r\nc\rd')).toEqual([
      { line: 1, text: 'a' },
      { line: 2, text: 'b' },
      { line: 3, text: 'c' },
      { line: 4, text: 'd' },
    ]);
    expect(texts(await lines('a\n\n\r\n'))).toEqual(['a', '', '']);
    expect(await lines('')).toEqual([]);
  });

  it('joins a line and a \\r\\n that fall across read chunks (64 KiB)', async () => {
    const long = 'x'.repeat(64 * 1024 - 1);
    expect(texts(await lines(`${long}\r\nnext\n${'y'.repeat(70_000)}\nlast`))).toEqual([long, 'next', 'y'.repeat(70_000), 'last']);
  });

  it('drops a byte-order mark at the start of the file', async () => {
    expect(texts(await lines('\uFEFFa,b\nc'))).toEqual(['a,b', 'c']);
  });

  it('marks a line that is not valid UTF-8 with where and what to try, and reads the lines around it', async () => {
    const got = await lines(Buffer.concat([Buffer.from('ok 1\nid,'), iconv.encode('焦作', 'gbk'), Buffer.from('\nok 3\n')]));
    expect(got.map((l) => [l.line, l.error ?? l.text])).toEqual([
      [1, 'ok 1'],
      [2, 'not valid UTF-8 at byte 4 of the line; if the file is GBK/GB18030 (Excel on Chinese Windows), pass --encoding gb18030'],
      [3, 'ok 3'],
    ]);
  });

  it('reads the same GBK file with --encoding gb18030, and says when a line is not valid in it', async () => {
    const gbk = Buffer.concat([iconv.encode('名称\r\n焦作市幼儿园\r\n', 'gbk'), Buffer.from([0x81, 0x0a]), iconv.encode('张三', 'gbk')]);
    const got = await lines(gbk, 'gb18030');
    expect(got.map((l) => l.error ?? l.text)).toEqual([
      '名称',
      '焦作市幼儿园',
      "not valid GB18030 at byte 1 of the line; check that GB18030 (--encoding) is the file's encoding",
      '张三',
    ]);
  });
});

/**
 * The lines of a file, each decoded on its own and strictly: a line that is not valid in the
 * file's encoding carries an error (with the position and what to try), and the lines around it
 * are read as usual. Lines end at `\n`, `\r\n` or a lone `\r` (old Mac Excel), as readline's do.
 */
import { createReadStream } from 'node:fs';
import { type TextEncoding, UTF8 } from './decodeText.ts';

/** One line, 1-based; `text` is there even when `error` is (decoded leniently). */
export interface TextLine {
  line: number;
  text: string;
  error?: string;
}

const LF = 0x0a;
const CR = 0x0d;

/** Why a line of a file is not text in its encoding, and what to try. */
export function encodingProblem(encoding: TextEncoding, invalidAt: number): string {
  const hint =
    encoding === UTF8
      ? 'if the file is GBK/GB18030 (Excel on Chinese Windows), pass --encoding gb18030'
      : `check that ${encoding.name} (--encoding) is the file's encoding`;
  return `not valid ${encoding.name} at byte ${invalidAt} of the line; ${hint}`;
}

export async function* readTextLines(file: string, encoding: TextEncoding = UTF8): AsyncGenerator<TextLine> {
  let line = 0;
  const decode = (bytes: Buffer): TextLine => {
    line++;
    const { text, invalidAt } = encoding.decode(bytes);
    return invalidAt === undefined ? { line, text } : { line, text, error: encodingProblem(encoding, invalidAt) };
  };
  let carry: Buffer[] = [];
  let skipLf = false;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    let start = 0;
    if (skipLf && chunk[0] === LF) start = 1;
    skipLf = false;
    let nextLf = chunk.indexOf(LF, start);
    let nextCr = chunk.indexOf(CR, start);
    while (nextLf >= 0 || nextCr >= 0) {
      const end = nextCr >= 0 && (nextLf < 0 || nextCr < nextLf) ? nextCr : nextLf;
      const piece = chunk.subarray(start, end);
      yield decode(carry.length ? Buffer.concat([...carry, piece]) : piece);
      carry = [];
      start = end + 1;
      if (chunk[end] === CR) {
        if (start === chunk.length) skipLf = true;
        else if (chunk[start] === LF) start++;
      }
      if (nextLf >= 0 && nextLf < start) nextLf = chunk.indexOf(LF, start);
      if (nextCr >= 0 && nextCr < start) nextCr = chunk.indexOf(CR, start);
    }
    if (start < chunk.length) carry.push(chunk.subarray(start));
  }
  // A last line without a line break.
  if (carry.length) yield decode(Buffer.concat(carry));
}

/**
 * An external sort for lines: lines are buffered, and when the buffer is full it is sorted and
 * spilled to a run file; at the end the runs are merged. Memory stays bounded whatever the scale.
 * Lines sort as plain strings, so callers put the sort key first.
 */
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export class SortedRuns {
  private buffer: string[] = [];
  private bytes = 0;
  private runs: string[] = [];

  constructor(
    private readonly dir: string,
    private readonly name: string,
  ) {}

  get buffered(): number {
    return this.bytes;
  }

  get spilled(): boolean {
    return this.runs.length > 0;
  }

  add(line: string): void {
    this.buffer.push(line);
    this.bytes += line.length;
  }

  /** Sorts what is buffered and writes it to a new run file. */
  spill(): void {
    if (this.buffer.length === 0) return;
    const file = join(this.dir, `${this.name}-${this.runs.length}.run`);
    const out = new LineWriter(file);
    for (const line of this.buffer.sort()) out.write(line);
    out.close();
    this.runs.push(file);
    this.buffer = [];
    this.bytes = 0;
  }

  /** Every line added, in sorted order. */
  *sorted(): Generator<string> {
    if (this.runs.length === 0) {
      yield* this.buffer.sort();
      this.buffer = [];
      return;
    }
    this.spill();
    const readers = this.runs.map((f) => new LineReader(f));
    const heap = new MinHeap();
    readers.forEach((r, i) => {
      const line = r.next();
      if (line !== null) heap.push(line, i);
    });
    while (heap.size > 0) {
      const [line, i] = heap.pop();
      yield line;
      const next = readers[i]!.next();
      if (next !== null) heap.push(next, i);
    }
    for (const r of readers) r.close();
  }
}

/** Buffered synchronous line output. */
export class LineWriter {
  private fd: number;
  private chunk: string[] = [];
  private size = 0;

  constructor(file: string) {
    this.fd = openSync(file, 'w');
  }

  write(line: string): void {
    this.chunk.push(line);
    this.size += line.length;
    if (this.size > 1 << 20) this.flush();
  }

  private flush(): void {
    if (this.chunk.length === 0) return;
    writeSync(this.fd, `${this.chunk.join('\n')}\n`);
    this.chunk = [];
    this.size = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/** Buffered synchronous line input (UTF-8, `\n`-separated). */
export class LineReader {
  private fd: number;
  private buf = Buffer.alloc(1 << 17);
  private lines: string[] = [];
  private pos = 0;
  private rest: Buffer = Buffer.alloc(0);
  private eof = false;

  constructor(file: string) {
    this.fd = openSync(file, 'r');
  }

  next(): string | null {
    while (this.pos >= this.lines.length) {
      if (this.eof) return null;
      const n = readSync(this.fd, this.buf, 0, this.buf.length, null);
      if (n === 0) {
        this.eof = true;
        this.lines = this.rest.length ? [this.rest.toString('utf8')] : [];
      } else {
        // Cut at the last newline byte, so that a multi-byte character is never split.
        const data = Buffer.concat([this.rest, this.buf.subarray(0, n)]);
        const cut = data.lastIndexOf(10);
        this.rest = Buffer.from(data.subarray(cut + 1));
        this.lines = cut < 0 ? [] : data.toString('utf8', 0, cut).split('\n');
      }
      this.pos = 0;
    }
    return this.lines[this.pos++]!;
  }

  close(): void {
    closeSync(this.fd);
  }
}

class MinHeap {
  private items: Array<[string, number]> = [];

  get size(): number {
    return this.items.length;
  }

  push(line: string, source: number): void {
    const a = this.items;
    a.push([line, source]);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }

  pop(): [string, number] {
    const a = this.items;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && less(a[l]!, a[m]!)) m = l;
        if (r < a.length && less(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}

const less = (a: [string, number], b: [string, number]) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);

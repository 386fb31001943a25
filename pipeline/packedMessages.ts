/**
 * A partition batch's original messages, packed into a few buffers: what the DLQ needs of an
 * event the warehouse later refuses, kept until the batch is committed. kafkajs hands out
 * messages whose keys and values are views of the whole fetch response; keeping those alive for
 * every queued batch cost about 60 MB at the default queue size, where the copies cost the bytes
 * of the messages themselves.
 */
import type { IHeaders, KafkaMessage } from 'kafkajs';

export interface PackedMessage {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
}

/** Packs the messages; the result finds one by its offset (a string, as kafkajs writes it). */
export function packMessages(messages: KafkaMessage[]): (offset: string) => PackedMessage | undefined {
  // Offsets ascend within a partition batch: found by binary search, kept as doubles (< 2^53).
  const offsets = Float64Array.from(messages, (m) => Number(m.offset));
  const keys = copyAll(messages.map((m) => m.key ?? null));
  const values = copyAll(messages.map((m) => m.value ?? null));
  // Headers are rare; copied one by one where present.
  const headers = new Map<number, IHeaders>();
  messages.forEach((m, i) => {
    if (m.headers && Object.keys(m.headers).length > 0) headers.set(i, copyHeaders(m.headers));
  });
  return (offset) => {
    const i = indexOf(offsets, Number(offset));
    if (i < 0) return undefined;
    return { offset, key: keys(i), value: values(i), headers: headers.get(i) ?? {} };
  };
}

function indexOf(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = sorted[mid]!;
    if (v === x) return mid;
    if (v < x) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** One copy of all the buffers; the i-th is a view of it again (null stays null). */
function copyAll(buffers: Array<Buffer | null>): (i: number) => Buffer | null {
  const starts = new Uint32Array(buffers.length + 1);
  // Nothing of `buffers` may be kept: only the copy, these offsets and which were null.
  const isNull = new Uint8Array(buffers.length);
  buffers.forEach((b, i) => {
    starts[i + 1] = starts[i]! + (b?.length ?? 0);
    isNull[i] = b === null ? 1 : 0;
  });
  const all = Buffer.concat(
    buffers.filter((b): b is Buffer => b !== null),
    starts[buffers.length],
  );
  return (i) => (isNull[i] ? null : all.subarray(starts[i]!, starts[i + 1]!));
}

function copyHeaders(h: IHeaders): IHeaders {
  const out: IHeaders = {};
  for (const [k, v] of Object.entries(h)) {
    out[k] = Buffer.isBuffer(v) ? Buffer.from(v) : Array.isArray(v) ? v.map((x) => (Buffer.isBuffer(x) ? Buffer.from(x) : x)) : v;
  }
  return out;
}

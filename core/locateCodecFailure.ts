/**
 * Which record batch of a Kafka Fetch response cannot be decompressed, and where it is. kafkajs
 * decodes a whole response at once and its codec errors say nothing of topic or partition;
 * this walks the response again (Fetch v4-v11 layouts, record batches of magic 2) and
 * decompresses each compressed batch until one fails.
 */
import { CodecError, messageOf } from './errors.ts';

const CODEC_NAMES = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

/** Kafka's name for a compression id (the low 3 bits of a batch's attributes). */
export function codecName(id: number): string {
  return CODEC_NAMES[id] ?? `codec ${id} (unknown)`;
}

interface Decompressor {
  decompress(buffer: Buffer): Promise<Buffer>;
}

/** A cursor over big-endian Kafka protocol fields; reading past the end throws a RangeError. */
class Reader {
  at = 0;
  constructor(readonly buf: Buffer) {}
  int16() {
    this.at += 2;
    return this.buf.readInt16BE(this.at - 2);
  }
  int32() {
    this.at += 4;
    return this.buf.readInt32BE(this.at - 4);
  }
  skip(n: number) {
    if (this.at + n > this.buf.length) throw new RangeError('past the end');
    this.at += n;
  }
  string() {
    const n = this.int16();
    this.skip(Math.max(0, n));
    return this.buf.toString('utf8', this.at - Math.max(0, n), this.at);
  }
  bytes(n: number) {
    this.skip(n);
    return this.buf.subarray(this.at - n, this.at);
  }
}

// Record batch v2: baseOffset int64, batchLength int32 (counted from byte 12), then
// partitionLeaderEpoch int32, magic int8, crc int32, attributes int16, lastOffsetDelta int32, ...,
// recordCount int32 at byte 57, records from byte 61.
const BATCH_HEADER = 61;

/**
 * The CodecError for the first batch of `response` (a Fetch response of `version`, after the
 * correlation id) that fails to decompress, or undefined if none does or the layout is not one
 * this knows. `codecOf(id)` is the codec kafkajs would use; it may throw for an unknown id.
 */
export async function locateCodecFailure(
  response: Buffer,
  version: number,
  codecOf: (id: number) => Decompressor | undefined,
): Promise<CodecError | undefined> {
  if (version < 4 || version > 11) return undefined;
  try {
    const r = new Reader(response);
    r.skip(version >= 7 ? 10 : 4); // throttle_time_ms (, error_code, session_id)
    for (let topics = r.int32(); topics > 0; topics--) {
      const topic = r.string();
      for (let partitions = r.int32(); partitions > 0; partitions--) {
        const partition = r.int32();
        r.skip(2 + 8 + 8 + (version >= 5 ? 8 : 0)); // error_code, high_watermark, last_stable_offset (, log_start_offset)
        r.skip(Math.max(0, r.int32()) * 16); // aborted_transactions
        if (version >= 11) r.skip(4); // preferred_read_replica
        const size = r.int32();
        const records = size > 0 ? r.bytes(size) : Buffer.alloc(0);
        for (let at = 0; at + BATCH_HEADER <= records.length; ) {
          const length = records.readInt32BE(at + 8);
          const end = at + 12 + length;
          // A partial batch ends a fetch (kafkajs skips it too); a nonsensical length ends the walk.
          if (length < BATCH_HEADER - 12 || end > records.length) break;
          const id = records[at + 16] === 2 ? records.readInt16BE(at + 21) & 0x07 : 0;
          if (id !== 0) {
            const base = records.readBigInt64BE(at);
            const last = base + BigInt(records.readInt32BE(at + 23));
            try {
              const codec = codecOf(id);
              if (!codec) throw new Error('no codec registered');
              await codec.decompress(records.subarray(at + BATCH_HEADER, end));
            } catch (err) {
              const reason = messageOf(err).replace(/^cannot decompress an? \w+ record batch: /, '');
              return new CodecError(
                `cannot decompress the ${codecName(id)} record batch of topic ${topic} partition ${partition} at offset ${base}` +
                  `${last > base ? ` (offsets ${base}..${last})` : ''}: ${reason}`,
                { cause: err },
              );
            }
          }
          at = end;
        }
      }
    }
  } catch (err) {
    if (err instanceof RangeError) return undefined; // not a layout this knows
    throw err;
  }
  return undefined;
}

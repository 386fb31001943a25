/**
 * The codecs edumon registers with kafkajs, without a broker: each round-trips, snappy reads
 * both framings producers send, and a batch that fails to decompress is found in a Fetch
 * response with its topic, partition, offsets and codec. (Real producers: tests/integration/compression.test.ts.)
 */
import { createRequire } from 'node:module';
import { CompressionTypes } from 'kafkajs';
import { compressFrame } from 'lz4-napi';
import * as snappy from 'snappyjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerCodecs } from '../../core/codecs.ts';
import { CodecError } from '../../core/errors.ts';
import { locateCodecFailure } from '../../core/locateCodecFailure.ts';

interface Codec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}
const registry = createRequire(import.meta.url)('kafkajs').CompressionCodecs as Record<number, () => Codec>;
const codecOf = (id: number) => registry[id]?.();

beforeAll(() => registerCodecs());

const CODECS = [
  ['gzip', CompressionTypes.GZIP],
  ['snappy', CompressionTypes.Snappy],
  ['lz4', CompressionTypes.LZ4],
  ['zstd', CompressionTypes.ZSTD],
] as const;

const records = Buffer.from(JSON.stringify({ type: 'wage.paid', amount_yuan: 4000.75, school_id: '3441080201' }).repeat(3000));

describe('registered codecs', () => {
  it.each(CODECS)('%s decompresses what it compresses', async (_name, id) => {
    const codec = codecOf(id)!;
    const compressed = await codec.compress({ buffer: records });
    expect(compressed.length).toBeLessThan(records.length / 5);
    expect((await codec.decompress(compressed)).equals(records)).toBe(true);
  });

  it('snappy writes the xerial framing of the Java producer, in 32 KiB blocks', async () => {
    const framed = await codecOf(CompressionTypes.Snappy)!.compress({ buffer: records });
    expect(framed.subarray(0, 8).toString('latin1')).toBe('\x82SNAPPY\x00');
    const first = framed.readInt32BE(16);
    expect(snappy.uncompress(framed.subarray(20, 20 + first)).length).toBe(32 * 1024);
  });

  it('snappy also reads unframed snappy, as Sarama and older kafkajs codecs send it', async () => {
    const raw = snappy.compress(records);
    expect((await codecOf(CompressionTypes.Snappy)!.decompress(raw)).equals(records)).toBe(true);
  });

  it.each(CODECS.slice(1))('%s fails on bytes that are not its format with a non-retriable CodecError', async (name, id) => {
    const err = await codecOf(id)!
      .decompress(Buffer.from('definitely not compressed'))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CodecError);
    expect((err as CodecError).retriable).toBe(false);
    expect((err as CodecError).message).toContain(`cannot decompress a ${name} record batch`);
  });

  it('a codec id Kafka does not define is a CodecError, not records parsed from compressed bytes', () => {
    expect(() => codecOf(6)).toThrow(/no codec for compression id 6/);
  });
});

/** One record batch (magic 2) of `count` records from `base`, its records compressed with `codecId`. */
function batch(base: bigint, count: number, codecId: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(61);
  header.writeBigInt64BE(base, 0);
  header.writeInt32BE(49 + payload.length, 8);
  header.writeInt8(2, 16);
  header.writeInt16BE(codecId, 21);
  header.writeInt32BE(count - 1, 23);
  header.writeBigInt64BE(-1n, 43);
  header.writeInt16BE(-1, 51);
  header.writeInt32BE(-1, 53);
  header.writeInt32BE(count, 57);
  return Buffer.concat([header, payload]);
}

/** A Fetch v11 response body (after the correlation id): one topic, one record set per partition. */
function fetchResponse(topic: string, partitions: Buffer[]): Buffer {
  const int = (n: number, bytes: 2 | 4) => {
    const b = Buffer.alloc(bytes);
    if (bytes === 2) b.writeInt16BE(n);
    else b.writeInt32BE(n);
    return b;
  };
  const parts: Buffer[] = [int(0, 4), int(0, 2), int(0, 4), int(1, 4), int(topic.length, 2), Buffer.from(topic), int(partitions.length, 4)];
  partitions.forEach((records, p) => {
    parts.push(int(p, 4), int(0, 2), Buffer.alloc(24), int(0, 4), int(-1, 4), int(records.length, 4), records);
  });
  return Buffer.concat(parts);
}

describe('locateCodecFailure', () => {
  it('names the topic, partition, offsets and codec of the batch that fails to decompress', async () => {
    const good = await compressFrame(records);
    const bad = good.subarray(0, good.length - 40); // cut short: its last block and end mark are missing
    const response = fetchResponse('edu.registry', [
      Buffer.concat([batch(0n, 5, CompressionTypes.LZ4, good), batch(5n, 3, 0, Buffer.alloc(10))]),
      Buffer.concat([batch(30n, 10, CompressionTypes.LZ4, good), batch(40n, 10, CompressionTypes.LZ4, bad)]),
    ]);
    const err = await locateCodecFailure(response, 11, codecOf);
    expect(err).toBeInstanceOf(CodecError);
    expect(err!.retriable).toBe(false);
    expect(err!.message).toMatch(/^cannot decompress the lz4 record batch of topic edu\.registry partition 1 at offset 40 \(offsets 40\.\.49\): \S/);
  });

  it('names a codec id it has no codec for', async () => {
    const response = fetchResponse('edu.funding', [batch(7n, 1, 5, Buffer.from('??'))]);
    expect((await locateCodecFailure(response, 11, codecOf))?.message).toBe(
      'cannot decompress the codec 5 (unknown) record batch of topic edu.funding partition 0 at offset 7: no codec for compression id 5',
    );
  });

  it('finds nothing when every batch decompresses, or when the bytes are not a Fetch response it knows', async () => {
    const response = fetchResponse('edu.registry', [batch(0n, 5, CompressionTypes.LZ4, await compressFrame(records))]);
    expect(await locateCodecFailure(response, 11, codecOf)).toBeUndefined();
    expect(await locateCodecFailure(Buffer.from([0, 0, 0]), 11, codecOf)).toBeUndefined();
    expect(await locateCodecFailure(response, 3, codecOf)).toBeUndefined();
  });
});

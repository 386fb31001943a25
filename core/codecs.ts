/**
 * The compression codecs Kafka producers use, registered with kafkajs, which has only gzip built
 * in: without them a snappy, lz4 or zstd batch (the Java producer's `compression.type`) stops
 * the consumer. Each decodes what the stock Java producer writes and encodes what its broker
 * accepts. A batch that cannot be decompressed fails the fetch with a non-retriable CodecError
 * naming its codec, topic, partition and offsets (see locateCodecFailure), never a silent retry loop.
 */
import { createRequire } from 'node:module';
import { CompressionTypes } from 'kafkajs';
import { CodecError, messageOf } from './errors.ts';
import { locateCodecFailure } from './locateCodecFailure.ts';

/** What kafkajs calls with a batch's records: compress gets its encoder, decompress the bytes. */
interface KafkaCodec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

// Java's SnappyOutputStream (snappy-java) frames raw snappy blocks: a 16-byte header, then
// [int32 length][block] per 32 KiB of input. Sarama and older kafkajs codecs send raw snappy.
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_BLOCK = 32 * 1024;

/**
 * Each codec's package is loaded when the first batch of its codec arrives: most deployments
 * see one codec or none, and the native lz4 and WASM zstd modules cost memory (about 15 MB of
 * the service's peak RSS when all were loaded at start, docs/BENCHMARKS.md).
 */
const once = <T>(load: () => Promise<T>) => {
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= load());
};
const snappyjs = once(() => import('snappyjs'));
const lz4 = once(() => import('lz4-napi'));
const fzstd = once(() => import('fzstd'));
const zstdWasm = once(async () => (await import('@hpcc-js/wasm-zstd')).Zstd.load());

type Snappy = Awaited<ReturnType<typeof snappyjs>>;

function snappyCompress(snappy: Snappy, data: Buffer): Buffer {
  const header = Buffer.alloc(16);
  XERIAL_MAGIC.copy(header);
  header.writeInt32BE(1, 8); // version
  header.writeInt32BE(1, 12); // oldest compatible version
  const parts: Buffer[] = [header];
  for (let at = 0; at < data.length; at += XERIAL_BLOCK) {
    const block = snappy.compress(data.subarray(at, at + XERIAL_BLOCK));
    const length = Buffer.alloc(4);
    length.writeInt32BE(block.length);
    parts.push(length, block);
  }
  return Buffer.concat(parts);
}

function snappyDecompress(snappy: Snappy, data: Buffer): Buffer {
  if (data.length < 16 || !data.subarray(0, 8).equals(XERIAL_MAGIC)) return snappy.uncompress(data);
  const blocks: Buffer[] = [];
  for (let at = 16; at < data.length; ) {
    if (at + 4 > data.length) throw new Error(`truncated xerial snappy block header at byte ${at}`);
    const length = data.readInt32BE(at);
    at += 4;
    if (length < 0 || at + length > data.length) throw new Error(`xerial snappy block of ${length} bytes at byte ${at} overruns the ${data.length}-byte batch`);
    blocks.push(snappy.uncompress(data.subarray(at, at + length)));
    at += length;
  }
  return Buffer.concat(blocks);
}

// fzstd decodes frames without a declared content size, which is what the Java producer's
// streaming encoder writes; the WASM zstd's one-shot decoder guesses a buffer for those and
// fails on batches that compress well. The WASM build (real libzstd) does the encoding.
const asBuffer = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

const implementations: Record<'snappy' | 'lz4' | 'zstd', KafkaCodec> = {
  snappy: {
    compress: async ({ buffer }) => snappyCompress(await snappyjs(), buffer),
    decompress: async (buffer) => snappyDecompress(await snappyjs(), buffer),
  },
  // The LZ4 frame format (kafka-clients' Lz4BlockOutputStream), not bare LZ4 blocks.
  lz4: {
    compress: async ({ buffer }) => (await lz4()).compressFrame(buffer),
    decompress: async (buffer) => (await lz4()).decompressFrame(buffer),
  },
  // fzstd decodes frames without a declared content size, which is what the Java producer's
  // streaming encoder writes; the WASM zstd's one-shot decoder guesses a buffer for those and
  // fails on batches that compress well. The WASM build (real libzstd) does the encoding.
  zstd: {
    compress: async ({ buffer }) => asBuffer((await zstdWasm()).compress(buffer)),
    decompress: async (buffer) => asBuffer((await fzstd()).decompress(buffer)),
  },
};

/** A codec whose failures are CodecErrors: not retriable, so kafkajs does not retry the same bytes forever. */
function failingClearly(name: string, codec: KafkaCodec): KafkaCodec {
  return {
    compress: codec.compress,
    async decompress(buffer) {
      try {
        return await codec.decompress(buffer);
      } catch (err) {
        throw new CodecError(`cannot decompress a ${name} record batch: ${messageOf(err)}`, { cause: err });
      }
    },
  };
}

// kafkajs 2.2.4 decodes a fetch response before anyone can see which partition a batch came
// from; the response decoders of the Fetch versions a Kafka 4 broker serves (4-11) are
// wrapped so that a CodecError says where the batch is. The version is pinned in package.json.
const FETCH_VERSIONS = [4, 5, 6, 7, 8, 9, 10, 11];

// Marked on kafkajs's own codec table, which outlives this module where a test runner reloads it.
const REGISTERED = Symbol.for('edumon.codecs');

/** Registers snappy, lz4 and zstd with kafkajs, and a clear failure for the codec ids Kafka does not define. Idempotent. */
export function registerCodecs(): void {
  const require = createRequire(import.meta.url);
  // Node's ESM view of kafkajs lacks CompressionCodecs (its CommonJS export is not detected).
  const table = (require('kafkajs') as typeof import('kafkajs')).CompressionCodecs as Record<number | symbol, unknown>;
  if (table[REGISTERED]) return;
  table[REGISTERED] = true;
  const codecs = table as Record<number, () => KafkaCodec>;
  codecs[CompressionTypes.Snappy] = () => failingClearly('snappy', implementations.snappy);
  codecs[CompressionTypes.LZ4] = () => failingClearly('lz4', implementations.lz4);
  codecs[CompressionTypes.ZSTD] = () => failingClearly('zstd', implementations.zstd);
  // kafkajs reads an undefined codec id as "not compressed" and would parse compressed bytes as records.
  for (const id of [5, 6, 7]) {
    codecs[id] = () => {
      throw new CodecError(`no codec for compression id ${id}`);
    };
  }
  for (const version of FETCH_VERSIONS) {
    const response = require(`kafkajs/src/protocol/requests/fetch/v${version}/response.js`) as { decode(raw: Buffer): Promise<unknown> };
    const decode = response.decode;
    response.decode = async (raw: Buffer) => {
      try {
        return await decode(raw);
      } catch (err) {
        // KafkaJSNotImplemented: a codec kafkajs has no implementation for (if ours were replaced).
        if (!(err instanceof CodecError) && (err as Error | undefined)?.name !== 'KafkaJSNotImplemented') throw err;
        const failure = await locateCodecFailure(raw, version, (id) => codecs[id]?.());
        throw failure ?? err;
      }
    };
  }
}

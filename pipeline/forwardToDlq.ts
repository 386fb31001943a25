/**
 * Forwards rejected messages, unchanged, to the DLQ topic with the reason in their headers.
 * At least once: this runs before the batch's warehouse commit, so a crash in between resends.
 * Sends are chunked by size so that many large rejects never make one request the broker refuses.
 */
import type { IHeaders, Message, Producer } from 'kafkajs';
import type { Logger } from '../core/log.ts';

export interface DlqItem {
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
}

/** Budget per produce request: under the broker default message.max.bytes of 1 MiB. */
const CHUNK_BYTES = 768 * 1024;

export async function forwardToDlq(producer: Producer, topic: string, items: DlqItem[], log: Logger): Promise<void> {
  let chunk: Message[] = [];
  let bytes = 0;
  const flush = async () => {
    if (chunk.length === 0) return;
    const messages = chunk;
    chunk = [];
    bytes = 0;
    try {
      await producer.send({ topic, acks: -1, messages });
    } catch (err) {
      if (messages.length === 1 && /larger than the max message size/i.test((err as Error).message)) {
        // The broker will never take this one: keep the partition flowing with a marker that
        // carries the reason, the location and the hash, and say so loudly.
        const m = messages[0]!;
        log.error('DLQ refused a message as too large; forwarded its headers without the value', { headers: Object.keys(m.headers ?? {}) });
        await producer.send({
          topic,
          acks: -1,
          messages: [{ key: m.key ?? null, value: null, headers: { ...m.headers, 'edumon-value-dropped': 'too large for the DLQ topic' } }],
        });
        return;
      }
      throw err;
    }
  };
  for (const item of items) {
    const size = (item.value?.length ?? 0) + (item.key?.length ?? 0) + 512;
    if (bytes + size > CHUNK_BYTES) await flush();
    chunk.push({ key: item.key, value: item.value, headers: item.headers });
    bytes += size;
  }
  await flush();
}

/**
 * Batching producer for contract events: messages are grouped per topic and sent in large
 * batches, one batch in flight while the next is filled, never one message at a time.
 */
import type { Producer } from 'kafkajs';
import type { Config } from '../core/config.ts';
import { type EventType, familyOf, messageKey } from '../domain/contract.ts';
import { type Family, topicsOf } from '../domain/topics.ts';

export class Publisher {
  private buffer = new Map<string, Array<{ key: string; value: string }>>();
  private buffered = 0;
  private bufferedBytes = 0;
  private inFlight: Promise<unknown> = Promise.resolve();
  published = 0;
  /** Topic names, built once: add() runs for every message. */
  private readonly topics: Readonly<Record<Family, string>>;

  constructor(
    private readonly producer: Producer,
    config: Pick<Config, 'kafka'>,
    private readonly batchMessages = 5000,
    private readonly batchBytes = 4 * 1024 * 1024,
  ) {
    this.topics = topicsOf(config);
  }

  /** Queues one event (already validated) for its topic; sends when the batch is full. */
  async add(event: Record<string, unknown> & { type: string }, value = JSON.stringify(event)): Promise<void> {
    await this.addTo(familyOf[event.type as EventType], messageKey(event), value);
  }

  /** Queues one message for the topic of a family, as given: a raw line of a file, malformed or not. */
  async addTo(family: Family, key: string, value: string): Promise<void> {
    const topic = this.topics[family];
    let list = this.buffer.get(topic);
    if (!list) {
      list = [];
      this.buffer.set(topic, list);
    }
    list.push({ key, value });
    this.buffered++;
    this.bufferedBytes += value.length;
    if (this.buffered >= this.batchMessages || this.bufferedBytes >= this.batchBytes) await this.send();
  }

  /** Sends what is buffered and waits for every send to be acknowledged. */
  async flush(): Promise<void> {
    await this.send();
    await this.inFlight;
  }

  private async send(): Promise<void> {
    if (this.buffered === 0) return;
    const topicMessages = [...this.buffer].map(([topic, messages]) => ({ topic, messages }));
    const n = this.buffered;
    this.buffer = new Map();
    this.buffered = 0;
    this.bufferedBytes = 0;
    await this.inFlight;
    this.inFlight = this.producer.sendBatch({ topicMessages, acks: -1 }).then(() => {
      this.published += n;
    });
  }
}

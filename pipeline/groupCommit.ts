/**
 * Group commit: partition batches queue up while a transaction is being written, and the next
 * transaction writes all of them at once. Decoding the next fetch overlaps with writing this
 * one; fewer, larger transactions. The queue is bounded: `room()` waits for space.
 */
import type { PartitionBatch, Sink, WriteResult } from './sink.ts';

interface Pending {
  batch: PartitionBatch;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class GroupCommitter {
  private queue: Pending[] = [];
  private queuedEvents = 0;
  private writing: Promise<void> | undefined;
  private waiters: Array<() => void> = [];

  constructor(
    private readonly sink: Sink,
    /** Called once per committed transaction with what it added and how long the write took. */
    private readonly onCommit: (r: WriteResult, batches: number, ms: number) => void,
    /** Most events one transaction takes, and most that may wait in the queue. */
    private readonly maxEvents: number,
  ) {}

  /** Queues a batch; the promise resolves once it is committed together with its offset. */
  commit(batch: PartitionBatch): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ batch, resolve, reject });
      this.queuedEvents += batch.events.length;
      this.writing ??= this.drain();
    });
  }

  /** Resolves when the queue has room for more. */
  async room(): Promise<void> {
    while (this.queuedEvents >= this.maxEvents) await new Promise<void>((r) => this.waiters.push(r));
  }

  /** Resolves when everything queued so far is committed (or has failed). */
  async idle(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const group: Pending[] = [];
        let events = 0;
        while (this.queue.length > 0 && (group.length === 0 || events < this.maxEvents)) {
          const p = this.queue.shift()!;
          group.push(p);
          events += p.batch.events.length;
        }
        try {
          const started = performance.now();
          const result = await this.sink.write(group.map((p) => p.batch));
          this.onCommit(result, group.length, performance.now() - started);
          for (const p of group) p.resolve();
        } catch (err) {
          for (const p of group) p.reject(err);
        }
        this.queuedEvents -= events;
        for (const w of this.waiters.splice(0)) w();
      }
    } finally {
      this.writing = undefined;
    }
  }
}

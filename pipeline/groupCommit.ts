/**
 * Group commit: partition batches queue up while a transaction is being written, and the next
 * transaction writes all of them at once. Decoding the next fetch overlaps with writing this
 * one; fewer, larger transactions. The queue is bounded: `room()` waits for space.
 *
 * A failed write never lets a later one through. A write that failed on its data (a record the
 * warehouse refuses) is written again record by record, rejecting the refused ones. Any other
 * failure (out of memory, disk) is retried with backoff; if it persists, the committer stops for
 * good: the failed group and every batch queued or offered after it are rejected unwritten, so no
 * offset beyond the failed batch is ever stored and a restart resumes at the first unstored one.
 */
import { isolateRefused } from './isolateRefused.ts';
import type { PartitionBatch, Sink, WriteResult } from './sink.ts';
import { isDataError, writeErrorLine } from './writeErrors.ts';

interface Pending {
  batch: PartitionBatch;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export interface GroupCommitOptions {
  /** Most events one transaction takes, and most that may wait in the queue. */
  maxEvents: number;
  /** Further attempts at a write that failed for a reason other than its data. */
  retries: number;
  /** Wait before the first retry, doubled for each next one. */
  retryBackoffMs: number;
  /** Called before each retry with the failure and the attempt about to be made (1-based). */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
}

export class GroupCommitter {
  private queue: Pending[] = [];
  private queuedEvents = 0;
  private writing: Promise<void> | undefined;
  private waiters: Array<() => void> = [];
  /** Set once a write failed for good; every later commit is refused with it. */
  private failure: Error | undefined;
  /** Set by stopRetrying(): a failing write fails at once, and a backoff in progress ends now. */
  private giveUp = false;
  private wakeBackoff: (() => void) | undefined;

  constructor(
    private readonly sink: Sink,
    /** Called once per committed transaction with what it added and how long the write took. */
    private readonly onCommit: (r: WriteResult, batches: number, ms: number) => void,
    private readonly opts: GroupCommitOptions,
  ) {}

  /** Queues a batch; the promise resolves once it is committed together with its offset. */
  commit(batch: PartitionBatch): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.queue.push({ batch, resolve, reject });
      this.queuedEvents += batch.events.length;
      this.writing ??= this.drain();
    });
  }

  /** Resolves when the queue has room for more (at once after a failure: commit() then refuses). */
  async room(): Promise<void> {
    while (this.queuedEvents >= this.opts.maxEvents && !this.failure) await new Promise<void>((r) => this.waiters.push(r));
  }

  /**
   * For shutdown: a write that is failing is not tried again (its batches stay unstored, to be
   * read again after a restart), so stopping never waits out a retry backoff.
   */
  stopRetrying(): void {
    this.giveUp = true;
    this.wakeBackoff?.();
  }

  /** Resolves when everything queued so far is committed (or has failed). */
  async idle(): Promise<void> {
    while (this.writing !== undefined) await this.writing;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const group: Pending[] = [];
        let events = 0;
        while (this.queue.length > 0 && (group.length === 0 || events < this.opts.maxEvents)) {
          const p = this.queue.shift()!;
          group.push(p);
          events += p.batch.events.length;
        }
        try {
          const started = performance.now();
          const result = await this.write(group.map((p) => p.batch));
          this.onCommit(result, group.length, performance.now() - started);
          for (const p of group) p.resolve();
        } catch (err) {
          this.failure = new Error(`warehouse write failed: ${writeErrorLine(err)}`, { cause: err });
          for (const p of [...group, ...this.queue.splice(0)]) p.reject(this.failure);
        }
        this.queuedEvents -= events;
        if (this.failure) this.queuedEvents = 0;
        for (const w of this.waiters.splice(0)) w();
      }
    } finally {
      this.writing = undefined;
    }
  }

  private async write(batches: PartitionBatch[]): Promise<WriteResult> {
    for (let attempt = 0; ; attempt++) {
      let failure: unknown;
      try {
        return await this.sink.write(batches);
      } catch (err) {
        failure = err;
      }
      if (isDataError(failure)) {
        try {
          return await isolateRefused(this.sink, batches, failure);
        } catch (err) {
          failure = err;
        }
      }
      if (attempt >= this.opts.retries || this.giveUp) throw failure;
      const delay = this.opts.retryBackoffMs * 2 ** attempt;
      this.opts.onRetry?.(failure, attempt + 1, delay);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.wakeBackoff = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeBackoff = undefined;
      if (this.giveUp) throw failure;
    }
  }
}

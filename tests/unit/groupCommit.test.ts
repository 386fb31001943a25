/**
 * The group committer's failure handling, against a sink that records what it was asked to write
 * (the real sink is exercised by tests/integration/writeFailures.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../ingest/pseudonymize.ts';
import { GroupCommitter } from '../../pipeline/groupCommit.ts';
import type { PartitionBatch, Rejection, Sink, WriteResult } from '../../pipeline/sink.ts';

const event = (id: string) => ({ event_id: id, type: 'school.upserted' }) as unknown as StoredEvent;
const batch = (partition: number, nextOffset: number, ids: string[], reject?: PartitionBatch['reject']): PartitionBatch => ({
  topic: 't',
  partition,
  nextOffset: BigInt(nextOffset),
  events: ids.map(event),
  eventOffsets: ids.map((_, i) => BigInt(nextOffset - ids.length + i)),
  rejections: [],
  ...(reject ? { reject } : {}),
});

/** A sink whose writes fail as `fail` says, recording the offsets and events it stored. */
function fakeSink(fail: (events: string[], attempt: number) => Error | undefined) {
  const offsets: Array<[number, bigint]> = [];
  const stored: string[] = [];
  let attempt = 0;
  const sink = {
    async write(batches: PartitionBatch[]): Promise<WriteResult> {
      const ids = batches.flatMap((b) => b.events.map((e) => e.event_id));
      const err = fail(ids, attempt++);
      if (err) throw err;
      stored.push(...ids);
      for (const b of batches) offsets.push([b.partition, b.nextOffset]);
      return { stored: ids.length, duplicates: 0, rejected: batches.reduce((n, b) => n + b.rejections.length, 0) };
    },
    async storeEvents(events: StoredEvent[]) {
      const ids = events.map((e) => e.event_id);
      const err = fail(ids, attempt++);
      if (err) throw err;
      stored.push(...ids);
      return { stored: ids.length, duplicates: 0 };
    },
  };
  return { sink: sink as unknown as Sink, offsets, stored };
}

const options = { maxEvents: 1000, retries: 2, retryBackoffMs: 1 };

describe('GroupCommitter', () => {
  it('after a write fails for good, rejects that group and everything behind it, and writes nothing more', async () => {
    const { sink, offsets } = fakeSink((ids) => (ids.includes('b1') ? new Error('IO Error: disk full') : undefined));
    const c = new GroupCommitter(sink, () => undefined, options);
    const first = c.commit(batch(0, 1, ['a1']));
    const failing = c.commit(batch(1, 1, ['b1']));
    const behind = c.commit(batch(0, 2, ['a2']));
    await expect(first).resolves.toBeUndefined();
    await expect(failing).rejects.toThrow('warehouse write failed: IO Error: disk full');
    await expect(behind).rejects.toThrow('warehouse write failed');
    await expect(c.commit(batch(0, 3, ['a3']))).rejects.toThrow('warehouse write failed');
    await c.idle();
    expect(offsets).toEqual([[0, 1n]]);
  });

  it('retries a failure that is not about the data, and succeeds if the warehouse recovers', async () => {
    const retries: number[] = [];
    const { sink, offsets } = fakeSink((_, attempt) => (attempt < 2 ? new Error('Out of Memory Error: failed to allocate') : undefined));
    const c = new GroupCommitter(sink, () => undefined, { ...options, onRetry: (_, n) => retries.push(n) });
    await c.commit(batch(0, 5, ['a']));
    expect(retries).toEqual([1, 2]);
    expect(offsets).toEqual([[0, 5n]]);
  });

  it('rejects the one event the warehouse refuses, stores the rest, then writes the offsets', async () => {
    const refused: Array<{ offset: bigint; reason: string }> = [];
    const reject = async (r: Array<{ offset: bigint; reason: string }>): Promise<Rejection[]> => {
      refused.push(...r);
      return r.map((x) => ({ offset: x.offset, reason: x.reason, sha256: 'h', bytes: 1 }));
    };
    const { sink, offsets, stored } = fakeSink((ids) =>
      ids.includes('bad') ? new Error('Constraint Error: CHECK constraint failed\nLINE 1: ...') : undefined,
    );
    let committed: WriteResult | undefined;
    const c = new GroupCommitter(sink, (r) => (committed = r), options);
    await c.commit(batch(2, 10, ['e5', 'e6', 'bad', 'e8', 'e9'], reject));
    expect(stored.sort()).toEqual(['e5', 'e6', 'e8', 'e9']);
    expect(refused).toEqual([{ offset: 7n, reason: 'the warehouse refused it: Constraint Error: CHECK constraint failed' }]);
    expect(offsets).toEqual([[2, 10n]]);
    expect(committed).toEqual({ stored: 4, duplicates: 0, rejected: 1 });
  });

  it('stops instead of rejecting when the warehouse refuses every event of a batch: a broken warehouse, not bad records', async () => {
    const refused: unknown[] = [];
    const { sink, offsets, stored } = fakeSink(() => new Error('Conversion Error: Could not convert string to INT32'));
    const c = new GroupCommitter(sink, () => undefined, { ...options, retries: 0 });
    const ids = Array.from({ length: 25 }, (_, i) => `e${i}`);
    await expect(
      c.commit(
        batch(0, 25, ids, async (r) => {
          refused.push(...r);
          return [];
        }),
      ),
    ).rejects.toThrow(/refused all 25 events of t\/0/);
    expect({ refused, stored, offsets }).toEqual({ refused: [], stored: [], offsets: [] });
  });

  it('stopRetrying ends a retry backoff at once: the failing write is rejected, not waited for', async () => {
    const { sink } = fakeSink(() => new Error('IO Error: disk gone'));
    const c = new GroupCommitter(sink, () => undefined, { maxEvents: 1000, retries: 10, retryBackoffMs: 3_600_000 });
    const pending = c.commit(batch(0, 1, ['a']));
    await new Promise((r) => setTimeout(r, 10));
    c.stopRetrying();
    await expect(pending).rejects.toThrow('IO Error: disk gone');
  });
});

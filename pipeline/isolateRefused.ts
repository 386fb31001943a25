/**
 * Writes a group whose transaction failed on its data: every event the warehouse accepts is stored
 * and each one it refuses becomes a rejection, so one bad record never stops the others. Events
 * are stored in halves, each half in a transaction of its own, down to the single event refused;
 * then the rejections and the next offsets are written in one last transaction. A crash in between
 * redelivers the group from the stored offsets, and the events already stored are skipped as
 * duplicates (event_id), so nothing is lost or stored twice.
 */
import { EdumonError } from '../core/errors.ts';
import type { PartitionBatch, Sink, WriteResult } from './sink.ts';
import { isDataError, writeErrorLine } from './writeErrors.ts';

/** A batch at least this large whose every event is refused stops ingestion instead. */
const ALL_REFUSED_MIN_EVENTS = 20;

/** Stores what the warehouse accepts of `batches` and rejects the rest; throws on a non-data error. */
export async function isolateRefused(sink: Sink, batches: PartitionBatch[], cause: unknown): Promise<WriteResult> {
  let stored = 0;
  let duplicates = 0;
  const settled: PartitionBatch[] = [];
  for (const b of batches) {
    const { eventOffsets, reject } = b;
    if (!eventOffsets || !reject) {
      throw new EdumonError(`warehouse write failed and ${b.topic}/${b.partition} cannot reject single events: ${writeErrorLine(cause)}`, { cause });
    }
    const refused: Array<{ offset: bigint; reason: string }> = [];
    const store = async (from: number, to: number): Promise<void> => {
      try {
        const r = await sink.storeEvents(b.events.slice(from, to));
        stored += r.stored;
        duplicates += r.duplicates;
      } catch (err) {
        if (!isDataError(err)) throw err;
        if (to - from === 1) {
          refused.push({ offset: eventOffsets[from]!, reason: `the warehouse refused it: ${writeErrorLine(err)}` });
          return;
        }
        const mid = (from + to) >>> 1;
        await store(from, mid);
        await store(mid, to);
      }
    };
    if (b.events.length > 0) await store(0, b.events.length);
    // Every event of a sizeable batch refused is no longer about records: the warehouse itself (a
    // schema that does not match, a bug) is wrong, and emptying the feed into the DLQ would hide it.
    if (b.events.length >= ALL_REFUSED_MIN_EVENTS && refused.length === b.events.length) {
      throw new EdumonError(`the warehouse refused all ${refused.length} events of ${b.topic}/${b.partition}, not one record: ${writeErrorLine(cause)}`, {
        cause,
      });
    }
    const rejections = refused.length > 0 ? await reject(refused) : [];
    const refusedAt = new Set(refused.map((r) => r.offset));
    const kept = b.events.filter((_, i) => !refusedAt.has(eventOffsets[i]!));
    settled.push({ ...b, events: [], storedAlready: kept, rejections: [...b.rejections, ...rejections] });
  }
  const { rejected } = await sink.write(settled);
  return { stored, duplicates, rejected };
}

/** Which DLQ records an operator means: filters of `edumon dlq list|replay` (pure). */
import type { DlqRecord } from './readDlq.ts';

export interface DlqFilter {
  /** Original topic, exactly. */
  topic?: string;
  /** Substring of the reason, case-insensitive. */
  reason?: string;
  /** Forwarded to the DLQ at or after this moment (ms since the epoch). */
  since?: number;
  /** SHA-256 of the original bytes, or a prefix of it; any of them. */
  sha?: string[];
  /** Original `topic:partition:offset`; any of them. */
  origin?: string[];
}

/** The records matching every given filter, in DLQ order. */
export function selectDlq(records: DlqRecord[], f: DlqFilter): DlqRecord[] {
  const reason = f.reason?.toLowerCase();
  const shas = f.sha?.map((s) => s.toLowerCase());
  return records.filter(
    (r) =>
      (f.topic === undefined || r.origin?.topic === f.topic) &&
      (reason === undefined || r.reason.toLowerCase().includes(reason)) &&
      (f.since === undefined || r.timestamp >= f.since) &&
      (shas === undefined || shas.some((s) => r.sha256.startsWith(s))) &&
      (f.origin === undefined || (r.origin !== null && f.origin.includes(originOf(r)!))),
  );
}

/** `topic:partition:offset` of a record's original, or null. */
export function originOf(r: DlqRecord): string | null {
  return r.origin ? `${r.origin.topic}:${r.origin.partition}:${r.origin.offset}` : null;
}

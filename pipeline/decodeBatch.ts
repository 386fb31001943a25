/** Turns one partition's raw messages into stored events and rejections (pure). */
import { createHash } from 'node:crypto';
import type { Family } from '../domain/topics.ts';
import { decodeBytes } from '../ingest/decode.ts';
import { type Pseudonymize, pseudonymizeEvent, type StoredEvent } from '../ingest/pseudonymize.ts';
import type { Rejection } from './sink.ts';

export interface RawMessage {
  offset: string;
  value: Buffer | null;
}

export interface DecodedBatch {
  events: StoredEvent[];
  /** The offset each event came from, parallel to `events`. */
  eventOffsets: bigint[];
  rejections: Rejection[];
}

/** Validates and pseudonymises each message; a bad one becomes a rejection, never an exception. */
export function decodeBatch(messages: RawMessage[], family: Family | undefined, p: Pseudonymize): DecodedBatch {
  const events: StoredEvent[] = [];
  const eventOffsets: bigint[] = [];
  const rejections: Rejection[] = [];
  for (const m of messages) {
    const d = family === undefined ? { ok: false as const, reason: 'not an edumon event topic' } : decodeBytes(m.value, family);
    if (d.ok) {
      events.push(pseudonymizeEvent(d.event, p));
      eventOffsets.push(BigInt(m.offset));
    } else {
      rejections.push(rejectionOf(m, d.reason));
    }
  }
  return { events, eventOffsets, rejections };
}

/** The rejection row of a message: where it was, why, and the SHA-256 of its bytes (never the bytes). */
export function rejectionOf(m: RawMessage, reason: string): Rejection {
  const bytes = m.value ?? Buffer.alloc(0);
  return { offset: BigInt(m.offset), reason, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
}

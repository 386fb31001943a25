/** Turns one partition's raw messages into stored events and rejections (pure). */
import { createHash } from 'node:crypto';
import type { Family } from '../ingest/contract.ts';
import { decodeBytes } from '../ingest/decode.ts';
import { type Pseudonymize, pseudonymizeEvent, type StoredEvent } from '../ingest/pseudonymize.ts';
import type { Rejection } from './sink.ts';

export interface RawMessage {
  offset: string;
  value: Buffer | null;
}

export interface DecodedBatch {
  events: StoredEvent[];
  rejections: Rejection[];
}

/** Validates and pseudonymises each message; a bad one becomes a rejection, never an exception. */
export function decodeBatch(messages: RawMessage[], family: Family | undefined, p: Pseudonymize): DecodedBatch {
  const events: StoredEvent[] = [];
  const rejections: Rejection[] = [];
  for (const m of messages) {
    const d = family === undefined ? { ok: false as const, reason: 'not an edumon event topic' } : decodeBytes(m.value, family);
    if (d.ok) {
      events.push(pseudonymizeEvent(d.event, p));
    } else {
      const bytes = m.value ?? Buffer.alloc(0);
      rejections.push({
        offset: BigInt(m.offset),
        reason: d.reason,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        bytes: bytes.length,
      });
    }
  }
  return { events, rejections };
}

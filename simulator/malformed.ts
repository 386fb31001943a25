/**
 * Malformed messages of every kind the contract lists (not JSON, not an object, over 64 KiB,
 * unknown type, missing or mistyped required field), made from a valid event line so that each
 * looks like a plausible broken delivery on its topic.
 */
import { MAX_MESSAGE_BYTES } from '../domain/contract.ts';

export const malformedKinds = ['not-json', 'not-object', 'over-size', 'unknown-type', 'missing-field', 'mistyped-field'] as const;
export type MalformedKind = (typeof malformedKinds)[number];

/** A malformed line of the given kind, derived from a valid event line; `n` makes its id unique. */
export function malformedLine(kind: MalformedKind, validLine: string, n: number): string {
  const e = JSON.parse(validLine) as Record<string, unknown>;
  e.event_id = `bad-${n}`;
  switch (kind) {
    case 'not-json':
      return JSON.stringify(e).slice(0, -7);
    case 'not-object':
      return JSON.stringify([e]);
    case 'over-size':
      return JSON.stringify({ ...e, note: 'x'.repeat(MAX_MESSAGE_BYTES) });
    case 'unknown-type':
      return JSON.stringify({ ...e, type: `${String(e.type).split('.')[0]}.teleported` });
    case 'missing-field': {
      delete e.occurred_at;
      return JSON.stringify(e);
    }
    case 'mistyped-field':
      return JSON.stringify({ ...e, occurred_at: 20250101 });
  }
}

/**
 * Bytes or parsed objects to a validated contract event, or a rejection reason a person can read.
 * Bad input is data, not an exception. Reasons name the field and what was expected, and never
 * quote the input (it may hold personal identifiers).
 */
import type { z } from 'zod';
import {
  type ContractEvent,
  eventSchemas,
  type Family,
  familyOf,
  isEventType,
  MAX_MESSAGE_BYTES,
} from './contract.ts';

export type Decoded = { ok: true; event: ContractEvent } | { ok: false; reason: string };

/** Decodes one Kafka message value (or file line) that should carry a contract event. */
export function decodeBytes(value: Buffer | null, family?: Family): Decoded {
  if (value === null || value.length === 0) return { ok: false, reason: 'empty message (expected one JSON object)' };
  if (value.length > MAX_MESSAGE_BYTES) {
    return { ok: false, reason: `message is ${value.length} bytes, over the ${MAX_MESSAGE_BYTES}-byte limit` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch {
    return { ok: false, reason: 'not valid JSON' };
  }
  return decodeObject(parsed, family);
}

/** Validates an already-parsed value against the contract (and, given a family, its topic). */
export function decodeObject(value: unknown, family?: Family): Decoded {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: `expected a JSON object, got ${Array.isArray(value) ? 'an array' : describe(value)}` };
  }
  const type = (value as { type?: unknown }).type;
  if (type === undefined) return { ok: false, reason: 'type: required field is missing' };
  if (!isEventType(type)) {
    return { ok: false, reason: typeof type === 'string' ? `type: unknown event type "${printable(type)}"` : `type: expected string, got ${describe(type)}` };
  }
  if (family !== undefined && familyOf[type] !== family) {
    return { ok: false, reason: `type: ${type} belongs on the ${familyOf[type]} topic, not ${family}` };
  }
  const result = (eventSchemas[type] as z.ZodType).safeParse(value);
  if (!result.success) return { ok: false, reason: formatIssues(result.error.issues) };
  return { ok: true, event: result.data as ContractEvent };
}

/** Joins zod issues into one line: `field: what was expected; other: ...`. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 5)
    .map((i) => {
      const field = i.path.length ? i.path.join('.') : '(event)';
      const msg = i.code === 'invalid_type' && /received undefined/.test(i.message) ? 'required field is missing' : i.message;
      return `${field}: ${msg.replace(/^Invalid input: /, '')}`;
    })
    .join('; ') + (issues.length > 5 ? `; and ${issues.length - 5} more` : '');
}

function describe(v: unknown): string {
  return v === null ? 'null' : typeof v;
}

/** A type name is safe to echo, but only short and printable. */
function printable(s: string): string {
  const clean = s.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 40 ? clean.slice(0, 40) + '…' : clean;
}

/**
 * Bytes or parsed objects to a validated contract event, or a rejection reason a person can read.
 * Bad input is data, not an exception. Reasons name the field and what was expected, and never
 * quote the input (it may hold personal identifiers).
 */
import type { z } from 'zod';
import { type ContractEvent, eventSchemas, familyOf, isEventType, MAX_MESSAGE_BYTES, type PersonalField, personalFields } from '../domain/contract.ts';
import type { Family } from '../domain/topics.ts';
import { UTF8 } from './decodeText.ts';

export type Decoded = { ok: true; event: ContractEvent } | { ok: false; reason: string };

/**
 * Decodes one Kafka message value that should carry a contract event: strict UTF-8 (a leading
 * byte-order mark is dropped, as at the start of a file), then JSON, then the contract.
 */
export function decodeBytes(value: Buffer | null, family?: Family): Decoded {
  if (value === null || value.length === 0) return { ok: false, reason: 'empty message (expected one JSON object)' };
  if (value.length > MAX_MESSAGE_BYTES) {
    return { ok: false, reason: `message is ${value.length} bytes, over the ${MAX_MESSAGE_BYTES}-byte limit` };
  }
  const { text, invalidAt } = UTF8.decode(value);
  if (invalidAt !== undefined) {
    return {
      ok: false,
      reason: `not valid UTF-8 at byte ${invalidAt}: messages must be UTF-8 JSON; a producer with GBK/GB18030 text must convert it to UTF-8`,
    };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
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
    return { ok: false, reason: typeof type === 'string' ? `type: unknown event type${typeName(type)}` : `type: expected string, got ${describe(type)}` };
  }
  if (family !== undefined && familyOf[type] !== family) {
    return { ok: false, reason: `type: ${type} belongs on the ${familyOf[type]} topic, not ${family}` };
  }
  const result = (eventSchemas[type] as z.ZodType).safeParse(value);
  if (!result.success) return { ok: false, reason: formatIssues(result.error.issues, value) };
  const event = result.data as ContractEvent;
  const leak = personalIdInEventId(event);
  if (leak) return { ok: false, reason: `event_id: contains the event's ${leak} (docs/contract.md: an event_id must not carry a personal id)` };
  return { ok: true, event };
}

/** Personal ids shorter than this are not looked for inside event ids (every real one is longer: 学籍号 19, 身份证号 18). */
const MIN_PERSONAL_ID = 6;

/**
 * The personal field whose value an event's event_id contains, if any: event ids are stored and
 * shown (alerts, emails) as they come, so one built from a student's or staff member's id would
 * carry it past pseudonymisation.
 */
function personalIdInEventId(event: ContractEvent): PersonalField | undefined {
  const id = event.event_id.normalize('NFKC').toUpperCase();
  const rec = event as unknown as Record<string, unknown>;
  return personalFields.find((f) => {
    const v = rec[f];
    return typeof v === 'string' && v.length >= MIN_PERSONAL_ID && id.includes(v.normalize('NFKC').toUpperCase());
  });
}

/** Joins zod issues into one line: `field: what was expected; other: ...`. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], input?: unknown): string {
  return (
    issues
      .slice(0, 5)
      .map((i) => {
        const field = i.path.length ? i.path.join('.') : '(event)';
        const missing = input === undefined ? /received undefined/.test(i.message) : i.path.length > 0 && valueAt(input, i.path) === undefined;
        const msg = missing ? 'required field is missing' : i.message;
        return `${field}: ${msg.replace(/^Invalid input: /, '')}`;
      })
      .join('; ') + (issues.length > 5 ? `; and ${issues.length - 5} more` : '')
  );
}

function describe(v: unknown): string {
  return v === null ? 'null' : typeof v;
}

/** Echo a type only if it looks like one (`family.action`): anything else might be personal data. */
function typeName(s: string): string {
  return /^[a-z_]{1,30}\.[a-z_]{1,30}$/.test(s) ? ` "${s}"` : ' (not shown: it does not look like a type name)';
}

function valueAt(obj: unknown, path: readonly PropertyKey[]): unknown {
  let cur = obj;
  for (const k of path) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[k];
  }
  return cur;
}

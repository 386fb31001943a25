/**
 * CSV cells are text; the contract's fields are numbers, booleans and strings. The zod schema
 * of the event type says which, so a cell becomes what its field expects, and a cell that
 * cannot be read that way stays text for validation to reject with the field's name.
 */
import type { z } from 'zod';
import { type EventType, eventSchemas } from '../domain/contract.ts';

type Kind = 'number' | 'boolean' | 'string';

const kindsCache = new Map<EventType, Map<string, Kind>>();

function kindOf(schema: z.ZodType): Kind {
  let s = schema as unknown as { _zod: { def: { type: string; innerType?: unknown } } };
  while (s._zod.def.type === 'optional' || s._zod.def.type === 'default' || s._zod.def.type === 'nullable') {
    s = s._zod.def.innerType as typeof s;
  }
  const t = s._zod.def.type;
  return t === 'number' ? 'number' : t === 'boolean' ? 'boolean' : 'string';
}

/** Field name -> kind, for one event type. */
export function fieldKinds(type: EventType): Map<string, Kind> {
  let kinds = kindsCache.get(type);
  if (!kinds) {
    const shape = (eventSchemas[type] as unknown as { shape: Record<string, z.ZodType> }).shape;
    kinds = new Map(Object.entries(shape).map(([k, v]) => [k, kindOf(v)]));
    kindsCache.set(type, kinds);
  }
  return kinds;
}

const numeric = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;

/** One CSV record to the object its event type expects; empty cells are absent fields. */
export function coerceCsvRecord(type: EventType, record: Record<string, string>): Record<string, unknown> {
  const kinds = fieldKinds(type);
  const out: Record<string, unknown> = { type };
  for (const [field, cell] of Object.entries(record)) {
    if (field === 'type' || cell === '') continue;
    const kind = kinds.get(field);
    const v = cell.trim();
    if (kind === 'number' && numeric.test(v)) out[field] = Number(v);
    else if (kind === 'boolean' && /^(true|false|1|0)$/i.test(v)) out[field] = /^(true|1)$/i.test(v);
    else out[field] = cell;
  }
  return out;
}

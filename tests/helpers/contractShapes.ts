/** Reading the contract's zod schemas field by field, for the tests that compare them with the warehouse. */
import type { z } from 'zod';
import { type EventType, eventSchemas } from '../../domain/contract.ts';

/** A zod schema's definition: its kind, the schema an optional wraps, an enum's values. */
export type Def = { type: string; innerType?: z.ZodType; entries?: Record<string, string> };
export const defOf = (s: z.ZodType) => (s as unknown as { _zod: { def: Def } })._zod.def;
/** The schema under any number of `.optional()`. */
export const unwrapOptional = (s: z.ZodType): z.ZodType => (defOf(s).type === 'optional' ? unwrapOptional(defOf(s).innerType!) : s);
/** An event type's fields and their schemas. */
export const shapeOf = (t: EventType) => (eventSchemas[t] as unknown as { shape: Record<string, z.ZodType> }).shape;

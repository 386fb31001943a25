/**
 * The contract as one JSON Schema (draft 2020-12), generated from the zod schemas of contract.ts,
 * for outside systems to validate against before they publish: docs/contract.schema.json, written
 * by `npm run docs` and checked by a test to match this function's output.
 */
import { z } from 'zod';
import { eventSchemas, eventTypes, familyOf } from '../domain/contract.ts';

type JsonSchema = Record<string, unknown>;

/** Every event type under $defs (by type), and the event itself as exactly one of them. */
export function contractJsonSchema(): JsonSchema {
  const defs = Object.fromEntries(
    eventTypes.map((type) => {
      // 'input': the shape a producer sends, extra fields allowed (edumon ignores them).
      const { $schema: _, ...schema } = z.toJSONSchema(eventSchemas[type], { io: 'input', target: 'draft-2020-12' }) as JsonSchema;
      return [type, { title: type, description: `Sent on the ${familyOf[type]} topic.`, ...schema }];
    }),
  );
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'edumon event contract v1',
    description:
      'One message value (UTF-8 JSON, at most 64 KiB) on an event topic, or one line of a file for `edumon ingest`. ' +
      'Identifiers are given here in their canonical form; edumon also accepts them with full-width characters or ' +
      'surrounding whitespace, which it normalises (docs/contract.md). Rules JSON Schema cannot express are checked ' +
      'by edumon alone: money has at most 2 decimals, township_code starts with region_code, a window does not close ' +
      'before it opens, and no identifier is written in scientific notation.',
    oneOf: eventTypes.map((type) => ({ $ref: `#/$defs/${type}` })),
    $defs: defs,
  };
}

/** The file's text: stable key order, two-space indents, a final newline. */
export function contractJsonSchemaText(): string {
  return `${JSON.stringify(contractJsonSchema(), null, 2)}\n`;
}

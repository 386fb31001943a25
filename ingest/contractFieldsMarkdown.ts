/**
 * The event-type tables of docs/contract.md, rendered from the JSON Schema that the zod schemas
 * generate (contractJsonSchema.ts): field, whether it is required, and what it accepts.
 */
import { schemasByFamily, typesByFeed } from '../domain/contract.ts';
import { type Family, families, feeds } from '../domain/topics.ts';
import { contractJsonSchema } from './contractJsonSchema.ts';

interface Property {
  type?: string;
  const?: string;
  enum?: string[];
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
}
interface ObjectSchema {
  properties: Record<string, Property>;
  required?: string[];
}

const PATTERNS: Record<string, string> = {
  '^\\d{6}$': '6 digits',
  '^\\d{9}$': '9 digits',
  '^\\d{10}$': '10 digits',
  '^\\d{4}-(0[1-9]|1[0-2])$': 'month `YYYY-MM`',
};

function accepts(p: Property): string {
  if (p.const !== undefined) return `\`${p.const}\``;
  if (p.enum) return p.enum.map((v) => `\`${v}\``).join(' \\| ');
  if (p.format === 'date-time') return 'timestamp with offset, e.g. `2025-07-02T09:13:00+08:00`';
  if (p.format === 'date') return 'date `YYYY-MM-DD`';
  if (p.pattern) return `string, ${PATTERNS[p.pattern] ?? `matching \`${p.pattern}\``}`;
  const bounds = (lo: number | undefined, hi: number | undefined, unit: string) => {
    if (lo !== undefined && hi !== undefined && hi < 1e15) return `${unit}, ${lo}–${hi}`;
    if (lo !== undefined) return `${unit}, ≥ ${lo}`;
    return unit;
  };
  if (p.type === 'string') return `${bounds(p.minLength ?? 0, p.maxLength, 'string')} characters`;
  if (p.type === 'integer') return bounds(p.minimum ?? (p.exclusiveMinimum !== undefined ? p.exclusiveMinimum + 1 : undefined), p.maximum, 'integer');
  if (p.type === 'number') return bounds(p.minimum, p.maximum, 'number');
  return p.type ?? 'any';
}

/** Topic names by family, and the DLQ's (domain/topics.ts topicsOf under the default prefix). */
export type TopicNames = Readonly<Record<Family | 'dlq', string>>;

/** The topics table: each family's topic and the types it carries, then the DLQ. */
export function contractTopicsMarkdown(topics: TopicNames): string {
  return [
    '| topic (prefix configurable) | carries |',
    '|---|---|',
    ...families.map(
      (f) =>
        `| \`${topics[f]}\` | ${Object.keys(schemasByFamily[f])
          .map((t) => `\`${t}\``)
          .join(', ')} |`,
    ),
    `| \`${topics.dlq}\` | every rejected message as it arrived, with the reason in its headers (written by edumon) |`,
    '',
    "Each type also belongs to one **feed**, whose event-time progress edumon tracks (a rule judges as of its feeds' watermarks):",
    '',
    '| feed | types |',
    '|---|---|',
    ...feeds.map((f) => `| ${f} | ${typesByFeed[f].map((t) => `\`${t}\``).join(', ')} |`),
  ].join('\n');
}

const table = (def: ObjectSchema, names: string[]) => {
  const required = new Set(def.required ?? []);
  return [
    '| field | required | accepts |',
    '|---|---|---|',
    ...names.map((n) => `| \`${n}\` | ${required.has(n) ? 'yes' : 'no'} | ${accepts(def.properties[n]!)} |`),
  ];
};

/**
 * The fields every event has (those of every type), then one `###` section per topic family
 * with a table per event type of its own fields.
 */
export function contractFieldsMarkdown(topics: TopicNames): string {
  const defs = contractJsonSchema().$defs as Record<string, ObjectSchema>;
  const all = Object.values(defs);
  const common = Object.keys(all[0]!.properties).filter((n) => all.every((d) => n in d.properties));
  const out = [
    '### Fields every event has',
    '',
    ...table(all[0]!, common).map((l) => l.replace(/^\| `type` \| yes \| `[^`]+` \|$/, '| `type` | yes | the event type, one of those below |')),
    '',
  ];
  for (const family of families) {
    out.push(`### ${family} (topic \`${topics[family]}\`)`, '');
    for (const type of Object.keys(schemasByFamily[family])) {
      const def = defs[type]!;
      out.push(
        `#### \`${type}\``,
        '',
        ...table(
          def,
          Object.keys(def.properties).filter((n) => !common.includes(n)),
        ),
        '',
      );
    }
  }
  return out.join('\n');
}

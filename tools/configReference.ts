/**
 * docs/configuration.md, the configuration reference, made from the one schema: every key of
 * core/config.ts's configSchema with its environment variable (envMap), its default (`defaults`, the
 * parse of an empty configuration), its type and bounds (zod's JSON Schema of the input) and its
 * meaning (the key's JSDoc comment, read by tools/configKeys.ts). One section per top-level group,
 * in SECTIONS' order after the top-level keys; a contact's fields in a table of their own.
 */
import { z } from 'zod';
import { type Config, configSchema, envMap } from '../core/config.ts';
import { type ConfigKey, configKeys } from './configKeys.ts';

/** The groups in the order a reader needs them; the failpoints, for tests, last. */
export const SECTIONS = ['kafka', 'log', 'service', 'health', 'console', 'notify', 'rules', 'feeds', 'digest', 'snapshots', 'query', 'render', 'failpoints'];

/** The keys holding secrets: no default, never logged (each one's comment says so: tests/unit/configReference.test.ts). */
export const SECRET_KEYS = ['pseudonymKey', 'service.token', 'notify.smtpPass', 'console.linkKey'];

/** The part of a JSON Schema (draft 2020-12, as zod writes it) the type column reads. */
interface JsonSchema {
  type?: string;
  enum?: readonly unknown[];
  anyOf?: readonly JsonSchema[];
  minimum?: number;
  exclusiveMinimum?: number;
  maximum?: number;
  minLength?: number;
  minItems?: number;
  pattern?: string;
  format?: string;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: readonly string[];
  additionalProperties?: JsonSchema | boolean;
  default?: unknown;
}

/** `text` as inline code. */
const code = (text: string) => (text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``);

/** A Markdown table cell: pipes escaped, line breaks flattened. */
const cell = (text: string) => text.replaceAll('|', '\\|').replace(/\s*\n\s*/g, ' ');

/** A value as the default column shows it: `unset` for none, text as itself, anything else as JSON. */
const valueText = (v: unknown) => (v === undefined ? 'unset' : typeof v === 'string' && v !== '' ? code(v) : code(JSON.stringify(v)));

/** The type and bounds of a schema in words: `integer (≥ 1, ≤ 256)`, `one of \`text\`, \`json\``. */
function typeText(s: JsonSchema): string {
  if (s.anyOf) return s.anyOf.map(typeText).join(' or ');
  if (s.enum) return `one of ${s.enum.map((v) => code(String(v))).join(', ')}`;
  const bounds = [
    s.minimum === undefined ? '' : `≥ ${s.minimum}`,
    s.exclusiveMinimum === undefined ? '' : `> ${s.exclusiveMinimum}`,
    s.maximum === undefined || s.maximum >= Number.MAX_SAFE_INTEGER ? '' : `≤ ${s.maximum}`,
    s.minLength ? `${s.minLength}+ characters` : '',
    s.format === 'uri' ? 'a URL' : '',
    s.pattern ? `matching ${code(s.pattern)}` : '',
  ].filter(Boolean);
  const base =
    s.type === 'array'
      ? `list of ${typeText(s.items ?? {})}${s.minItems ? `, at least ${s.minItems}` : ''}`
      : s.type === 'object' && s.properties
        ? `{ ${Object.keys(s.properties)
            .map((k) => `${code(k)}${s.required?.includes(k) ? '' : '?'}`)
            .join(', ')} }`
        : s.type === 'object' && typeof s.additionalProperties === 'object'
          ? `map of string to ${typeText(s.additionalProperties)}`
          : (s.type ?? 'any');
  return bounds.length > 0 ? `${base} (${bounds.join(', ')})` : base;
}

/**
 * The document: `source` is core/config.ts's text, `defaults` the configuration an empty
 * environment and no file give (loadConfig({ env: {} })).
 */
export function configurationMarkdown(source: string, defaults: Config): string {
  const keys = configKeys(source, 'configSchema');
  const contact = configKeys(source, 'escalationSchema');
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const variableOf = new Map(envMap.map(([name, path]) => [path.join('.'), name]));
  const schemaAt = (path: string): JsonSchema => path.split('.').reduce<JsonSchema>((s, k) => s.properties?.[k] ?? {}, schema);
  const valueAt = (path: string): unknown =>
    path.split('.').reduce<unknown>((v, k) => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : undefined), defaults);

  const tops = keys.filter((k) => !k.path.includes('.') && k.object).map((k) => k.path);
  const unplaced = [...tops.filter((t) => !SECTIONS.includes(t)), ...SECTIONS.filter((t) => !tops.includes(t))];
  if (unplaced.length > 0) throw new Error(`tools/configReference.ts SECTIONS: place or remove ${unplaced.join(', ')}`);
  const unknownSecrets = SECRET_KEYS.filter((p) => !keys.some((k) => k.path === p));
  if (unknownSecrets.length > 0) throw new Error(`tools/configReference.ts SECRET_KEYS: no key ${unknownSecrets.join(', ')}`);

  const header = ['| key | environment | default | type | meaning |', '|---|---|---|---|---|'];
  const row = (k: ConfigKey) => {
    const variable = variableOf.get(k.path);
    const cells = k.object
      ? [code(k.path), '', '', 'object', k.meaning]
      : [code(k.path), variable ? code(variable) : 'config file only', valueText(valueAt(k.path)), typeText(schemaAt(k.path)), k.meaning];
    return `| ${cells.map(cell).join(' | ')} |`;
  };
  const table = (rows: readonly ConfigKey[]) => [...header, ...rows.map(row)];

  const leaves = keys.filter((k) => !k.object);
  const section = (top: string) => {
    const group = keys.find((k) => k.path === top);
    return [
      `## ${code(top)}${top === 'failpoints' ? ' (tests only)' : ''}`,
      '',
      ...(group?.meaning ? [group.meaning, ''] : []),
      ...table(keys.filter((k) => k.path.startsWith(`${top}.`))),
      '',
    ];
  };
  const escalation = schemaAt('notify.escalation').items ?? {};
  const contactRow = (k: ConfigKey) => {
    const s = escalation.properties?.[k.path] ?? {};
    const byDefault = escalation.required?.includes(k.path) ? 'required' : valueText(s.default);
    return `| ${[code(k.path), byDefault, typeText(s), k.meaning].map(cell).join(' | ')} |`;
  };

  return [
    '# Configuration reference',
    '',
    '<!-- Generated by `npm run docs` from core/config.ts (tools/configReference.ts); a test fails when it drifts. Edit the comments of the schema, not this file. -->',
    '',
    'edumon reads its configuration once, at start-up: a JSON file if one is named (`--config FILE`, else the',
    '`EDUMON_CONFIG` variable), overlaid by the `EDUMON_*` environment variables below, which override the',
    "file's keys; a command's `--warehouse` and `--brokers` options override both. A key is written as its path",
    'in the file: `kafka.brokers` is `{"kafka": {"brokers": ["127.0.0.1:9092"]}}`; a key without a variable',
    'is set in the file only. Every problem is reported at once, each naming the variable it came from or the',
    'file and key, and nothing runs. A boolean variable takes `true` or `1`, `false` or `0`.',
    '',
    'The default is what an empty configuration gives (unset: no value; the meaning says what then). The type',
    "and bounds are the schema's; core/config.ts checks a few things across keys too (a token for an API on a",
    "non-loopback address, Jiaozuo's region codes, one address per contact id).",
    `The secrets, ${SECRET_KEYS.map(code).join(', ')}, have no default and are never logged.`,
    '',
    `${leaves.length} keys, ${leaves.filter((k) => variableOf.has(k.path)).length} of them with an environment variable.`,
    '',
    '## Top-level keys',
    '',
    ...table(keys.filter((k) => !k.path.includes('.') && !k.object)),
    '',
    ...SECTIONS.flatMap((top) =>
      top === 'notify'
        ? [
            ...section(top),
            '### A contact',
            '',
            'Each entry of `notify.contacts.<region code>`, `notify.escalation` and `notify.dataTeam` (`region`: escalation contacts only).',
            '',
            '| field | default | type | meaning |',
            '|---|---|---|---|',
            ...contact.map(contactRow),
            '',
          ]
        : section(top),
    ),
  ].join('\n');
}

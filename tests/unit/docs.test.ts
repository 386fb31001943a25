/**
 * The generated documents match the code (run `npm run docs` after changing the contract or a rule
 * header), and outside systems can validate events against docs/contract.schema.json.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { eventTypes } from '../../domain/contract.ts';
import { generatedDocs, ROOT } from '../../tools/generatedDocs.ts';
import { validEvents } from '../fixtures/events.ts';

// Generated before collecting: the warehouse dictionary migrates an in-memory warehouse.
const docs = await generatedDocs();

describe('generated documents', () => {
  it.each(docs)('$path is what the code generates', ({ path, text }) => {
    expect(readFileSync(join(ROOT, path), 'utf8'), `${path} is out of date: run \`npm run docs\``).toBe(text);
  });

  it('docs/rules.md lists every rule with its policy clause', () => {
    const doc = readFileSync(join(ROOT, 'docs/rules.md'), 'utf8');
    expect(doc).toContain('## ADM-OVER-QUOTA');
    expect(doc).toContain('- Policy: 县中 6：「严禁以任何形式提前组织招生、超计划招生、违规跨区域招生、“掐尖”招生。」');
  });
});

describe('docs/contract.schema.json, read by a JSON Schema interpreter', () => {
  // zod's fromJSONSchema reads the committed JSON file, not the zod schemas it was made from.
  const schema = JSON.parse(readFileSync(join(ROOT, 'docs/contract.schema.json'), 'utf8')) as { $defs: Record<string, unknown>; oneOf: unknown[] };
  const validator = z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);
  const valid = validEvents(eventTypes.length * 2);

  it('has one definition per event type, and an event is exactly one of them', () => {
    expect(Object.keys(schema.$defs)).toEqual(eventTypes);
    expect(schema.oneOf).toHaveLength(eventTypes.length);
  });

  it('accepts a valid event of every type, with an unknown extra field too', () => {
    for (const e of valid) expect(validator.safeParse(e).success, e.type).toBe(true);
    expect(validator.safeParse({ ...valid[0], extra: 'ignored' }).success).toBe(true);
  });

  it.each([
    ['an unknown type', { ...valid[0], type: 'school.deleted' }],
    ['a missing required field', { ...valid[0], school_id: undefined }],
    ['a school id that is not 10 digits', { ...valid[0], school_id: '41080' }],
    ['a value outside an enum', { ...valid[1], role: 'principal' }],
    ['a timestamp without offset', { ...valid[5], occurred_at: '2025-07-02T09:13:00' }],
    ['a negative amount', { ...valid[10], amount_yuan: -1 }],
    ['a grade out of range', { ...valid[7], grade: 4 }],
  ])('rejects %s', (_, event) => {
    expect(validator.safeParse(JSON.parse(JSON.stringify(event))).success).toBe(false);
  });
});

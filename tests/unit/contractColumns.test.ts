/**
 * Every contract field has a warehouse column, or is dropped on purpose (and the test says why);
 * and the contract's numeric bounds and the warehouse's column types agree, for every numeric field
 * of every event type: a value the contract accepts is a value its column can hold. Checked against
 * the real migrated schema, and by storing each field's extreme values through the real sink.
 */
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { connect, openWarehouse } from '../../core/db.ts';
import { columnRanges, eventTypes, type NumericColumn, numericColumns, type PersonalField, personalFields } from '../../domain/contract.ts';
import { tableOf } from '../../domain/eventTables.ts';
import { decodeObject } from '../../ingest/decode.ts';
import { createPseudonymizer, pseudonymFieldOf, pseudonymizeEvent } from '../../ingest/pseudonymize.ts';
import { migrate } from '../../pipeline/migrate.ts';
import { Sink } from '../../pipeline/sink.ts';
import { defOf, shapeOf, unwrapOptional } from '../helpers/contractShapes.ts';
import { sample } from './samples.ts';

/** Every numeric field: its event type, name, schema and declared column. */
const numericFields = eventTypes.flatMap((type) =>
  Object.entries(shapeOf(type))
    .map(([field, s]) => ({ type, field, schema: unwrapOptional(s) as z.ZodNumber }))
    .filter(({ schema }) => defOf(schema).type === 'number'),
);

let instance: DuckDBInstance;
let conn: DuckDBConnection;
const columnType = new Map<string, string>();

beforeAll(async () => {
  instance = await openWarehouse(':memory:');
  conn = await connect(instance);
  await migrate(conn);
  const rows = (await conn.runAndReadAll(`select table_name, column_name, data_type from information_schema.columns where table_schema = 'main'`)).getRows();
  for (const [t, c, d] of rows) columnType.set(`${t}.${c}`, String(d).replace(/\s/g, ''));
});
afterAll(() => {
  conn.closeSync();
  instance.closeSync();
});

/** Contract fields with no column of their own name, and why. */
const dropped: Record<string, string> = {
  type: 'each event type has its own table (domain/eventTables.ts), so the table says the type',
  ...Object.fromEntries(personalFields.map((f) => [f, `a personal identifier: stored only as its keyed pseudonym, column ${pseudonymFieldOf[f]}`])),
};
/** Warehouse columns that are no contract field, and why. */
const added: Record<string, string> = {
  ingested_at: 'when edumon stored the event (the contract has occurred_at, when it happened)',
  ...Object.fromEntries(personalFields.map((f) => [pseudonymFieldOf[f], `the pseudonym of ${f}`])),
};
const columnsOf = (table: string) => [...columnType.keys()].filter((k) => k.startsWith(`${table}.`)).map((k) => k.slice(table.length + 1));

describe('contract fields and warehouse columns', () => {
  it.each(eventTypes)('%s: every field is a column of its table, or dropped for a stated reason', (type) => {
    const table = tableOf[type];
    const columns = columnsOf(table);
    expect(columns.length, `${table} exists`).toBeGreaterThan(0);
    for (const field of Object.keys(shapeOf(type))) {
      if (columns.includes(field)) continue;
      expect(dropped[field], `${type}.${field} has no column in ${table} and is not dropped on purpose`).toBeDefined();
      if ((personalFields as readonly string[]).includes(field))
        expect(columns, `${table} keeps the pseudonym of ${field}`).toContain(pseudonymFieldOf[field as PersonalField]);
    }
    for (const column of columns) {
      if (Object.hasOwn(shapeOf(type), column)) continue;
      expect(added[column], `${table}.${column} is neither a field of ${type} nor a stated addition`).toBeDefined();
    }
  });

  it('stores no personal field raw in any table', () => {
    for (const field of personalFields)
      expect(
        [...columnType.keys()].filter((k) => k.endsWith(`.${field}`)),
        field,
      ).toEqual([]);
  });
});

describe('numeric fields and their warehouse columns', () => {
  it('covers every numeric field of the contract', () => {
    expect(numericFields.length).toBeGreaterThanOrEqual(20);
  });

  it.each(numericFields.map((f) => [`${f.type} ${f.field}`, f] as const))('%s: declared column = warehouse column, bounds within its range', (_, f) => {
    const declared = numericColumns.get(f.schema)?.column;
    expect(declared, `${f.type}.${f.field} declares no column type (storedAs)`).toBeDefined();
    expect(columnType.get(`${tableOf[f.type]}.${f.field}`)).toBe(declared);
    const range = columnRanges[declared as NumericColumn];
    expect(f.schema.minValue!).toBeGreaterThanOrEqual(range.min);
    expect(f.schema.maxValue!).toBeLessThanOrEqual(range.max);
  });

  it.each(numericFields.map((f) => [`${f.type} ${f.field}`, f] as const))(
    '%s: the largest accepted value is stored exactly, one past it is rejected naming the field',
    async (_, f) => {
      const max = f.schema.maxValue!;
      const event = { ...sample(f.type), [f.field]: max, event_id: `max-${f.type}-${f.field}` };
      const d = decodeObject(event);
      expect(d.ok, JSON.stringify(d)).toBe(true);
      if (!d.ok) return;
      const sink = await Sink.open(conn);
      await sink.write([
        { topic: 't', partition: 0, nextOffset: 1n, events: [pseudonymizeEvent(d.event, createPseudonymizer('k'.repeat(16)))], rejections: [] },
      ]);
      const stored = (await conn.runAndReadAll(`select "${f.field}"::double from ${tableOf[f.type]} where event_id = $1`, [event.event_id])).getRows();
      expect(Number(stored[0]![0])).toBe(max);

      const tooBig = f.field.endsWith('_yuan') || f.field.endsWith('_m2') ? max * 2 : max + 1;
      if (Number.isFinite(tooBig)) {
        const r = decodeObject({ ...event, [f.field]: tooBig });
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.reason).toMatch(new RegExp(`^${f.field}: `));
      }
    },
  );

  it('rejects the 3,000,000,000-place school that once stopped every topic', () => {
    const r = decodeObject({ ...sample('school.upserted'), capacity: 3_000_000_000 });
    expect(r).toEqual({ ok: false, reason: expect.stringMatching(/^capacity: /) });
  });
});

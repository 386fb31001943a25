import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { familyOf, MAX_MESSAGE_BYTES } from '../../domain/contract.ts';
import { decodeBytes, decodeObject, formatIssues } from '../../ingest/decode.ts';
import { validEvents } from '../fixtures/events.ts';
import { malformed, malformedKinds } from '../fixtures/malformed.ts';
import { RAW_ID, sample } from './samples.ts';

const bytes = (v: unknown) => Buffer.from(JSON.stringify(v));
const reason = (d: ReturnType<typeof decodeBytes>) => (d.ok ? `ACCEPTED ${JSON.stringify(d.event)}` : d.reason);

describe('decodeObject / decodeBytes', () => {
  it('accepts every event of validEvents(), as objects and as bytes on its own topic family', () => {
    for (const e of validEvents(240, 7)) {
      expect(decodeObject(e)).toEqual({ ok: true, event: e });
      expect(decodeBytes(bytes(e), familyOf[e.type])).toEqual({ ok: true, event: e });
    }
  });

  it('rejects an event whose event_id carries its own student or staff id (any case or width), naming neither', () => {
    const admitted = { ...sample('admission.admitted'), student_id: '41082320080101123x', event_id: 'adm-41082320080101123X' };
    expect(reason(decodeBytes(bytes(admitted), 'admission'))).toBe(
      "event_id: contains the event's student_id (docs/contract.md: an event_id must not carry a personal id)",
    );
    const wage = { ...sample('wage.paid'), staff_id: 'JZT000123', event_id: 'wage-ｊｚｔ000123-2025-03' };
    expect(reason(decodeBytes(bytes(wage), 'funding'))).toContain("event_id: contains the event's staff_id");
    // A platform record number, or a short id that happens to occur in it, is fine.
    expect(decodeBytes(bytes({ ...admitted, event_id: 'zk2025-000981' }), 'admission').ok).toBe(true);
    expect(decodeBytes(bytes({ ...sample('admission.admitted'), student_id: 'a1', event_id: 'data1' }), 'admission').ok).toBe(true);
  });

  it('decodes UTF-8 names (学校) intact', () => {
    const d = decodeBytes(bytes({ ...sample('school.upserted'), name: '焦作市第一中学' }), 'registry');
    expect(d.ok && 'name' in d.event && d.event.name).toBe('焦作市第一中学');
  });

  describe.each(malformedKinds)('malformed message: %s', (kind) => {
    it('is rejected with a reason that does not contain the raw student id', () => {
      const d = decodeBytes(malformed(kind, 1, RAW_ID), 'admission');
      expect(d.ok).toBe(false);
      expect(reason(d)).not.toContain(RAW_ID);
      expect(reason(d).length).toBeGreaterThan(5);
    });
  });

  it('rejects not-JSON as "not valid JSON"', () => {
    expect(reason(decodeBytes(Buffer.from(`{"student_id": "${RAW_ID}", `)))).toBe('not valid JSON');
  });

  describe('text encoding', () => {
    const withId = (id: Buffer) => {
      const [before, after] = JSON.stringify({ ...sample('admission.admitted'), student_id: 'ID' }).split('"ID"') as [string, string];
      return Buffer.concat([Buffer.from(`${before}"`), id, Buffer.from(`"${after}`)]);
    };

    it('rejects ids that differ only in invalid UTF-8 bytes (once one pseudonym), with the byte and a hint', () => {
      const a = withId(Buffer.concat([Buffer.from('RAWSTU-C-'), Buffer.from([0xff])]));
      const b = withId(Buffer.concat([Buffer.from('RAWSTU-C-'), Buffer.from([0xfe])]));
      const at = a.indexOf(0xff) + 1;
      for (const m of [a, b]) {
        expect(reason(decodeBytes(m, 'admission'))).toBe(
          `not valid UTF-8 at byte ${at}: messages must be UTF-8 JSON; a producer with GBK/GB18030 text must convert it to UTF-8`,
        );
        expect(reason(decodeBytes(m, 'admission'))).not.toContain('RAWSTU');
      }
    });

    it('accepts a message that starts with a UTF-8 byte-order mark, as files do', () => {
      const e = sample('wage.paid');
      expect(decodeBytes(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes(e)]), 'funding')).toEqual({ ok: true, event: e });
    });
  });

  it('rejects a JSON array, string, number and null as not an object', () => {
    expect(reason(decodeBytes(bytes([sample('wage.paid')])))).toBe('expected a JSON object, got an array');
    expect(reason(decodeBytes(bytes(RAW_ID)))).toBe('expected a JSON object, got string');
    expect(reason(decodeBytes(Buffer.from('42')))).toBe('expected a JSON object, got number');
    expect(reason(decodeBytes(Buffer.from('null')))).toBe('expected a JSON object, got null');
  });

  it('rejects an empty message and a null (tombstone) value', () => {
    expect(reason(decodeBytes(Buffer.alloc(0)))).toBe('empty message (expected one JSON object)');
    expect(reason(decodeBytes(null))).toBe('empty message (expected one JSON object)');
  });

  it('rejects a message over 64 KiB, stating size and limit, and accepts one of exactly 64 KiB', () => {
    const e = sample('wage.paid');
    const pad = (n: number) => bytes({ ...e, padding: 'x'.repeat(n) });
    const exact = pad(MAX_MESSAGE_BYTES - pad(0).length);
    expect(exact.length).toBe(64 * 1024);
    expect(decodeBytes(exact, 'funding').ok).toBe(true);
    const over = pad(MAX_MESSAGE_BYTES - pad(0).length + 1);
    expect(reason(decodeBytes(over, 'funding'))).toBe(`message is ${64 * 1024 + 1} bytes, over the 65536-byte limit`);
  });

  it('rejects an unknown type, naming it', () => {
    expect(reason(decodeBytes(bytes({ ...sample('admission.admitted'), type: 'admission.teleported' })))).toBe(
      'type: unknown event type "admission.teleported"',
    );
  });

  it('rejects a missing or non-string type', () => {
    const { type: _t, ...rest } = sample('wage.paid');
    expect(reason(decodeObject(rest))).toBe('type: required field is missing');
    expect(reason(decodeObject({ ...rest, type: 7 }))).toBe('type: expected string, got number');
  });

  it('rejects a type on the wrong topic family, saying where it belongs', () => {
    expect(reason(decodeBytes(bytes(sample('wage.paid')), 'admission'))).toBe('type: wage.paid belongs on the funding topic, not admission');
    expect(reason(decodeObject(sample('school.upserted'), 'enrollment'))).toMatch(/belongs on the registry topic/);
  });

  it('does not treat Object.prototype names as event types', () => {
    expect(reason(decodeObject({ ...sample('wage.paid'), type: 'toString' }))).toMatch(/^type: unknown event type/);
  });

  it('rejects a mistyped and malformed personal-id message without quoting the values', () => {
    // An 18-digit id sent as a JSON number: parsed as JSON (as the decoder gets it) it is already rounded to a double.
    const d = decodeObject({ ...sample('admission.admitted'), student_id: JSON.parse('410820000000012345') as number, school_id: RAW_ID, year: RAW_ID });
    expect(reason(d)).toMatch(/student_id: expected string/);
    expect(reason(d)).toMatch(/school_id: expected a 10-digit school id/);
    expect(reason(d)).not.toMatch(/4108200000000123/);
  });

  it('does not echo a raw id sent as the `type`', () => {
    expect(reason(decodeObject({ ...sample('admission.admitted'), type: RAW_ID }))).not.toContain(RAW_ID);
  });
});

describe('formatIssues', () => {
  const issues = (schema: z.ZodType, v: unknown) => {
    const r = schema.safeParse(v);
    if (r.success) throw new Error('expected issues');
    return r.error.issues;
  };

  it('joins issues as "field: expected ..." and says a missing field is missing', () => {
    const s = z.object({ a: z.string(), b: z.object({ c: z.number() }) });
    expect(formatIssues(issues(s, { b: { c: 'x' } }))).toBe('a: required field is missing; b.c: expected number, received string');
  });

  it('names a whole-event problem "(event)"', () => {
    expect(
      formatIssues(
        issues(
          z.object({}).refine(() => false, 'nope'),
          {},
        ),
      ),
    ).toBe('(event): nope');
  });

  it('lists at most 5 issues and counts the rest', () => {
    const s = z.object(Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((k) => [k, z.string()])));
    const text = formatIssues(issues(s, {}));
    expect(text.split('; ')).toHaveLength(6);
    expect(text).toMatch(/^a: required field is missing; .*e: required field is missing; and 2 more$/);
  });
});

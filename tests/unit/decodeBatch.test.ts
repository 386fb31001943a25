import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createPseudonymizer } from '../../ingest/pseudonymize.ts';
import { decodeBatch, type RawMessage } from '../../pipeline/decodeBatch.ts';
import { validEvents } from '../fixtures/events.ts';
import { malformed, malformedKinds } from '../fixtures/malformed.ts';
import { RAW_ID } from './samples.ts';

const p = createPseudonymizer('decode-batch-test-key');
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('decodeBatch', () => {
  const good = validEvents(24, 3).filter((e) => e.type === 'admission.admitted' || e.type === 'enrollment.enrolled');
  const admitted = good.filter((e) => e.type === 'admission.admitted');

  it('turns valid messages into pseudonymised events, in order', () => {
    const msgs: RawMessage[] = admitted.map((e, i) => ({ offset: String(10 + i), value: Buffer.from(JSON.stringify(e)) }));
    const { events, rejections } = decodeBatch(msgs, 'admission', p);
    expect(rejections).toEqual([]);
    expect(events.map((e) => e.event_id)).toEqual(admitted.map((e) => e.event_id));
    for (const [i, e] of events.entries()) {
      const raw = admitted[i] as { student_id: string };
      expect((e as Record<string, unknown>).student_id).toBeUndefined();
      expect(e.student_pseudonym).toBe(p(raw.student_id));
      expect(JSON.stringify(e)).not.toContain(raw.student_id);
    }
  });

  it('rejects each malformed kind with its offset, the sha256 and byte count of the bytes, and a reason, never the raw id', () => {
    const msgs = malformedKinds.map((k, i) => ({ offset: String(100 + i), value: malformed(k, i, RAW_ID) }));
    const { events, rejections } = decodeBatch(msgs, 'admission', p);
    expect(events).toEqual([]);
    expect(rejections).toHaveLength(malformedKinds.length);
    for (const [i, r] of rejections.entries()) {
      const bytes = msgs[i]!.value;
      expect(r).toEqual({ offset: BigInt(100 + i), reason: expect.any(String), sha256: sha256(bytes), bytes: bytes.length });
      expect(r.reason.length).toBeGreaterThan(0);
      expect(JSON.stringify({ ...r, offset: String(r.offset) })).not.toContain(RAW_ID);
    }
  });

  it('keeps valid messages flowing around bad ones', () => {
    const e = admitted[0]!;
    const msgs: RawMessage[] = [
      { offset: '0', value: Buffer.from(JSON.stringify(e)) },
      { offset: '1', value: Buffer.from('not json') },
      { offset: '2', value: null },
      { offset: '3', value: Buffer.from(JSON.stringify({ ...e, event_id: 'second' })) },
    ];
    const { events, rejections } = decodeBatch(msgs, 'admission', p);
    expect(events.map((x) => x.event_id)).toEqual([e.event_id, 'second']);
    expect(rejections.map((r) => [r.offset, r.reason])).toEqual([
      [1n, 'not valid JSON'],
      [2n, 'empty message (expected one JSON object)'],
    ]);
    expect(rejections[1]).toMatchObject({ bytes: 0, sha256: sha256(Buffer.alloc(0)) });
  });

  it('rejects an event on the wrong topic family', () => {
    const wrong = good.find((e) => e.type === 'enrollment.enrolled')!;
    const { rejections } = decodeBatch([{ offset: '5', value: Buffer.from(JSON.stringify(wrong)) }], 'admission', p);
    expect(rejections[0]?.reason).toBe('type: enrollment.enrolled belongs on the enrollment topic, not admission');
  });

  it('rejects every message of a topic that is not an edumon event topic', () => {
    const { events, rejections } = decodeBatch([{ offset: '9007199254740993', value: Buffer.from(JSON.stringify(admitted[0])) }], undefined, p);
    expect(events).toEqual([]);
    expect(rejections[0]).toMatchObject({ offset: 9007199254740993n, reason: 'not an edumon event topic' });
  });
});

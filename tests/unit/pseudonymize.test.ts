import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type ContractEvent, eventTypes, personalFields } from '../../domain/contract.ts';
import { createPseudonymizer, pseudonymFieldOf, pseudonymizeEvent, resolvePseudonymKey } from '../../ingest/pseudonymize.ts';
import { RAW_ID, sample } from './samples.ts';

const KEY = 'test-key-0123456789abcdef';
const ev = (type: Parameters<typeof sample>[0], extra: Record<string, unknown> = {}) => ({ ...sample(type), ...extra }) as ContractEvent;

describe('createPseudonymizer', () => {
  it('gives the same pseudonym for the same id and key', () => {
    expect(createPseudonymizer(KEY)(RAW_ID)).toBe(createPseudonymizer(KEY)(RAW_ID));
  });
  it('gives a different pseudonym under a different key, and for a different id', () => {
    const p = createPseudonymizer(KEY);
    expect(createPseudonymizer(`${KEY}x`)(RAW_ID)).not.toBe(p(RAW_ID));
    expect(p('410820000000012346')).not.toBe(p(RAW_ID));
  });
  it('is 32 hex characters that never contain the raw id', () => {
    const p = createPseudonymizer(KEY);
    for (const id of [RAW_ID, 'PAY-0000042', 'ABC-123', 'a'.repeat(64)]) {
      expect(p(id)).toMatch(/^[0-9a-f]{32}$/);
      expect(p(id)).not.toContain(id);
    }
  });
});

describe('pseudonymizeEvent', () => {
  const p = createPseudonymizer(KEY);

  it('replaces student_id by student_pseudonym', () => {
    const out = pseudonymizeEvent(ev('admission.admitted', { student_id: RAW_ID }), p);
    expect((out as Record<string, unknown>).student_id).toBeUndefined();
    expect(out).toMatchObject({ student_pseudonym: p(RAW_ID), type: 'admission.admitted' });
    expect(JSON.stringify(out)).not.toContain(RAW_ID);
  });

  it('replaces staff_id by staff_pseudonym on staff, wage and social insurance events', () => {
    for (const type of ['staff.upserted', 'wage.paid', 'social_insurance.paid'] as const) {
      const out = pseudonymizeEvent(ev(type, { staff_id: 'PAY-0000042' }), p);
      expect((out as Record<string, unknown>).staff_id).toBeUndefined();
      expect(out).toHaveProperty('staff_pseudonym', p('PAY-0000042'));
      expect(JSON.stringify(out)).not.toContain('PAY-0000042');
    }
  });

  it('replaces every personal field of the contract, on every event type that has one', () => {
    for (const type of eventTypes) {
      const raw = ev(type);
      const fields = personalFields.filter((f) => typeof (raw as Record<string, unknown>)[f] === 'string');
      const ids = fields.map((f) => (raw as Record<string, unknown>)[f] as string);
      const out = pseudonymizeEvent(raw, p) as Record<string, unknown>;
      fields.forEach((f, i) => {
        expect(out[f], `${type}.${f}`).toBeUndefined();
        expect(out[pseudonymFieldOf[f]], `${type}.${pseudonymFieldOf[f]}`).toBe(p(ids[i]!));
      });
    }
  });

  it('gives the same student the same pseudonym across topics, so records join', () => {
    const a = pseudonymizeEvent(ev('admission.admitted', { student_id: RAW_ID }), p);
    const b = pseudonymizeEvent(ev('enrollment.enrolled', { student_id: RAW_ID }), p);
    expect(a.student_pseudonym).toBe(b.student_pseudonym);
  });

  it("keeps every other field, replacing the id in the caller's own copy (no second copy per event)", () => {
    const input = ev('wage.paid');
    const copy = structuredClone(input);
    const { staff_id: _s, ...rest } = copy as Record<string, unknown>;
    const out = pseudonymizeEvent(input, p);
    expect(out).toEqual({ ...rest, staff_pseudonym: p(String(_s)) });
    expect(out).toBe(input);
    expect(JSON.stringify(input)).not.toContain(String(_s));
  });

  it('passes events without personal fields through unchanged', () => {
    const e = ev('school.upserted');
    expect(pseudonymizeEvent(e, p)).toEqual(e);
  });
});

describe('resolvePseudonymKey', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edumon-pseudo-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('uses the configured key and writes no file', () => {
    const warehouse = join(dir, 'configured', 'w.duckdb');
    expect(resolvePseudonymKey({ pseudonymKey: KEY, warehouse, env: 'production' })).toBe(KEY);
    expect(existsSync(`${warehouse}.pseudonym-key`)).toBe(false);
  });

  it('creates a 0600 key file beside the warehouse once, then reuses it', () => {
    const warehouse = join(dir, 'nested', 'dir', 'w.duckdb');
    const file = `${warehouse}.pseudonym-key`;
    const first = resolvePseudonymKey({ warehouse, env: 'dev' });
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe(`${first}\n`);
    expect(resolvePseudonymKey({ warehouse, env: 'dev' })).toBe(first);
    expect(readFileSync(file, 'utf8')).toBe(`${first}\n`);
  });

  it('gives different warehouses different random keys', () => {
    const a = resolvePseudonymKey({ warehouse: join(dir, 'a.duckdb'), env: 'test' });
    const b = resolvePseudonymKey({ warehouse: join(dir, 'b.duckdb'), env: 'test' });
    expect(a).not.toBe(b);
  });

  it('keeps no file for an in-memory warehouse', () => {
    const k = resolvePseudonymKey({ warehouse: ':memory:', env: 'test' });
    expect(k).toMatch(/^[0-9a-f]{64}$/);
    expect(existsSync(':memory:.pseudonym-key')).toBe(false);
  });

  it('refuses an empty key file instead of using the well-known empty key', () => {
    const warehouse = join(dir, 'empty.duckdb');
    writeFileSync(`${warehouse}.pseudonym-key`, '\n', { mode: 0o600 });
    let key: string;
    try {
      key = resolvePseudonymKey({ warehouse, env: 'dev' });
    } catch {
      return; // refusing to start would be a fix too
    }
    expect(key.length).toBeGreaterThanOrEqual(16);
  });
});

/**
 * Keyed pseudonyms for personal identifiers (student_id, staff_id): HMAC-SHA256 under a secret,
 * so the same person gets the same pseudonym on every topic and records still join, while the
 * raw identifier never reaches the warehouse, a log, an alert or an email.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Config } from '../core/config.ts';
import { EdumonError } from '../core/errors.ts';
import type { ContractEvent, PersonalField } from '../domain/contract.ts';

export type Pseudonymize = (id: string) => string;

/**
 * 128 bits of HMAC-SHA256 in hex: collisions are negligible at any realistic population.
 * The same students and staff recur across topics, so recent answers are cached (bounded).
 */
export function createPseudonymizer(key: string, cacheSize = 100_000): Pseudonymize {
  let cache = new Map<string, string>();
  return (id) => {
    let p = cache.get(id);
    if (p === undefined) {
      p = createHmac('sha256', key).update(id, 'utf8').digest('hex').slice(0, 32);
      if (cache.size >= cacheSize) cache = new Map();
      cache.set(id, p);
    }
    return p;
  };
}

/** The field of a stored event, and the warehouse column, that holds each personal field's pseudonym. */
export const pseudonymFieldOf = { student_id: 'student_pseudonym', staff_id: 'staff_pseudonym' } as const satisfies Record<PersonalField, string>;

/** A stored event: the contract event with its personal fields replaced by their pseudonyms. */
export type StoredEvent = Omit<ContractEvent, PersonalField> & { [F in PersonalField as (typeof pseudonymFieldOf)[F]]?: string };

/**
 * Replaces every personal identifier of an event by its pseudonym, in place: the event must be
 * the caller's own copy (as a freshly validated one is). Returns the same object, retyped.
 */
export function pseudonymizeEvent(e: ContractEvent, p: Pseudonymize): StoredEvent {
  // Written out per field rather than looped over personalFields: this runs for every event, and
  // the loop's keyed accesses cost about a fifth more here (bench/stages.ts). The types above tie
  // these names to personalFields and pseudonymFieldOf.
  // The raw id is overwritten, not deleted: `delete` would push V8 into slow dictionary-mode
  // objects for every later read. Nothing reads the emptied key (the sink reads its columns).
  const rec = e as Record<string, unknown>;
  if (typeof rec.student_id === 'string') {
    rec.student_pseudonym = p(rec.student_id);
    rec.student_id = undefined;
  }
  if (typeof rec.staff_id === 'string') {
    rec.staff_pseudonym = p(rec.staff_id);
    rec.staff_id = undefined;
  }
  return rec as StoredEvent;
}

/**
 * The pseudonym key: from config, or in dev/test a random one kept beside the warehouse
 * (so a demo never uses a well-known key). Production refuses to start without one (config.ts).
 */
export function resolvePseudonymKey(config: Pick<Config, 'pseudonymKey' | 'warehouse' | 'env'>): string {
  if (config.pseudonymKey) return config.pseudonymKey;
  const file = config.warehouse === ':memory:' ? null : `${config.warehouse}.pseudonym-key`;
  if (file && existsSync(file)) {
    const key = readFileSync(file, 'utf8').trim();
    if (key.length < 16) {
      throw new EdumonError(`pseudonym key file ${file} holds no usable key (under 16 characters); restore it, or set EDUMON_PSEUDONYM_KEY`);
    }
    return key;
  }
  const key = randomBytes(32).toString('hex');
  if (file) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${key}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return key;
}

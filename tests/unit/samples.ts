/** One valid sample of every event type (from the shared fixtures), and a raw personal id for leak checks. */
import type { ContractEvent, EventType } from '../../domain/contract.ts';
import { validEvents } from '../fixtures/events.ts';

/** Looks like a real 学籍号 / ID-card number: must never show up in a rejection reason. */
export const RAW_ID = '410820000000012345';

const byType = new Map<EventType, ContractEvent>(validEvents(12).map((e) => [e.type, e]));

/** A fresh copy of the valid sample of `type`, as a plain object to tamper with. */
export function sample(type: EventType): Record<string, unknown> {
  const e = byType.get(type);
  if (!e) throw new Error(`no fixture for ${type}`);
  return structuredClone(e) as Record<string, unknown>;
}

import { describe, expect, it } from 'vitest';
import { type Alert, type AlertState, alertIdOf, evaluate, transitionsMade } from '../../alerts/evaluate.ts';
import { identityOf, type Violation } from '../../domain/violation.ts';

const v = (over: Partial<Violation> = {}): Violation => ({
  rule: 'ADM-OVER-QUOTA',
  school_id: '3441080001',
  region_code: '410802',
  period: '2025',
  subject: null,
  observed: 301,
  threshold: 300,
  details: {},
  ...over,
});
const state = (over: Partial<AlertState> = {}): AlertState => ({
  id: 'a1',
  rule: 'ADM-OVER-QUOTA',
  school_id: '3441080001',
  region_code: '410802',
  period: '2025',
  subject: null,
  status: 'open',
  occurrence: 1,
  opened_at: '2025-07-12T10:00:00+08:00',
  last_seen_at: '2025-07-12T10:00:00+08:00',
  resolved_at: null,
  ...over,
});
const AT = '2025-07-12T10:00:10+08:00';

describe('the alert lifecycle', () => {
  it('opens an alert for a violation seen for the first time', () => {
    expect(evaluate([], [v()], AT)).toEqual([{ kind: 'open', violation: v(), at: AT }]);
  });

  it('keeps an open alert open while its violation is still found, with the latest figures', () => {
    const now = v({ observed: 305 });
    expect(evaluate([state()], [now], AT)).toEqual([{ kind: 'still_open', id: 'a1', violation: now, at: AT }]);
  });

  it('resolves an open alert whose violation a later successful run no longer finds', () => {
    expect(evaluate([state()], [], AT)).toEqual([{ kind: 'resolve', id: 'a1', at: AT }]);
  });

  it('reopens a resolved alert as the next occurrence of the same alert when the violation returns', () => {
    const prior = state({ status: 'resolved', occurrence: 2, resolved_at: '2025-07-12T10:00:05+08:00' });
    expect(evaluate([prior], [v()], AT)).toEqual([{ kind: 'reopen', id: 'a1', occurrence: 3, violation: v(), at: AT }]);
  });

  it('leaves a resolved alert alone while its violation stays absent', () => {
    expect(evaluate([state({ status: 'resolved', resolved_at: AT })], [], AT)).toEqual([]);
  });

  it('tells violations apart by all five identity fields, and nothing else', () => {
    const rows = [v(), v({ subject: 'p1' }), v({ period: '2024' }), v({ school_id: '3441080002' }), v({ region_code: '410803' }), v({ rule: 'ADM-NO-PLAN' })];
    expect(new Set(rows.map(identityOf)).size).toBe(6);
    expect(identityOf(v({ observed: 1, details: { x: 1 } }))).toBe(identityOf(v()));
    const t = evaluate([state()], rows, AT);
    expect(t.filter((x) => x.kind === 'open')).toHaveLength(5);
    expect(t.filter((x) => x.kind === 'still_open')).toHaveLength(1);
  });

  it('does not confuse a null field with the text "null"', () => {
    expect(identityOf(v({ subject: null }))).not.toBe(identityOf(v({ subject: 'null' })));
  });

  it('counts a violation reported twice in one run once', () => {
    expect(evaluate([], [v(), v({ observed: 999 })], AT)).toEqual([{ kind: 'open', violation: v(), at: AT }]);
  });
});

describe('the transitions a run made', () => {
  const stored = (over: Partial<Alert> = {}): Alert => ({ ...state(), severity: 'warning', observed: '301', threshold: '300', details: {}, ...over });

  it('opens with the rule severity and the figures as text; times are ISO 8601 UTC', () => {
    const [made] = transitionsMade([], evaluate([], [v()], AT), 'critical');
    expect(made).toEqual({
      kind: 'open',
      at: '2025-07-12T02:00:10.000Z',
      alert: {
        ...v(),
        id: alertIdOf(v()),
        severity: 'critical',
        status: 'open',
        occurrence: 1,
        opened_at: '2025-07-12T02:00:10.000Z',
        last_seen_at: '2025-07-12T02:00:10.000Z',
        resolved_at: null,
        observed: '301',
        threshold: '300',
      },
    });
  });

  it('leaves out alerts only seen again; a resolved alert is the one stored, resolved', () => {
    const prior = stored();
    expect(transitionsMade([prior], evaluate([prior], [v()], AT), 'critical')).toEqual([]);
    expect(transitionsMade([prior], evaluate([prior], [], AT), 'critical')).toEqual([
      { kind: 'resolve', at: '2025-07-12T02:00:10.000Z', alert: { ...prior, status: 'resolved', resolved_at: '2025-07-12T02:00:10.000Z' } },
    ]);
  });

  it('reopens as the next occurrence, keeping the alert id and its own severity', () => {
    const prior = stored({ status: 'resolved', occurrence: 2, resolved_at: '2025-07-12T02:00:05.000Z' });
    const [made] = transitionsMade([prior], evaluate([prior], [v({ observed: 310 })], AT), 'critical');
    expect(made?.alert).toMatchObject({
      id: 'a1',
      severity: 'warning',
      status: 'open',
      occurrence: 3,
      opened_at: '2025-07-12T02:00:10.000Z',
      resolved_at: null,
      observed: '310',
    });
  });
});

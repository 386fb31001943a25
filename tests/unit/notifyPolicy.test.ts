import { describe, expect, it } from 'vitest';
import { type LogEntry, type NotifyAlert, type PolicyInput, planNotifications } from '../../alerts/notify/policy.ts';
import type { Silence } from '../../alerts/silences.ts';
import { loadConfig } from '../../core/config.ts';

const notify = loadConfig({
  env: {},
  overrides: {
    'notify.contacts': {
      '410825': [{ id: 'wen', name: '温县教育局', email: 'wen@example.cn' }],
      '410823': [{ id: 'wuzhi', name: '武陟县教育局', email: 'wuzhi@example.cn' }],
      '410800': [{ id: 'city', name: '焦作市教育局', email: 'city@example.cn', minSeverity: 'warning' }],
    },
    'notify.dataTeam': [{ id: 'data', name: '数据组', email: 'data@example.cn' }],
    'notify.escalation': [{ id: 'esc', name: '市局督导', email: 'esc@example.cn' }],
  },
}).notify;

const T0 = Date.parse('2025-07-10T02:00:00Z');
const HOUR = 3_600_000;

function alert(n: number, fields: Partial<NotifyAlert> = {}): NotifyAlert {
  return {
    id: `a${n}`,
    rule: 'ADM-CROSS-REGION',
    school_id: '4108250001',
    region_code: '410825',
    period: '2025',
    subject: `stu${n}`,
    severity: 'critical',
    status: 'open',
    occurrence: 1,
    opened_at: new Date(T0).toISOString(),
    last_seen_at: new Date(T0).toISOString(),
    resolved_at: null,
    observed: null,
    threshold: null,
    details: {},
    acked_at: null,
    reopensLastDay: 0,
    ...fields,
  };
}

function plan(alerts: NotifyAlert[], over: Partial<PolicyInput> = {}) {
  return planNotifications({ now: T0, alerts, log: [], notify, silences: [], mute: null, ...over });
}

/** Applies a decision's log to the log, as the outbox step does. */
function told(log: LogEntry[], decision: { log: LogEntry[] }): LogEntry[] {
  const key = (e: LogEntry) => `${e.alert_id}/${e.contact_id}`;
  const m = new Map(log.map((e) => [key(e), e]));
  for (const e of decision.log) m.set(key(e), e);
  return [...m.values()];
}

const summary = (d: ReturnType<typeof plan>) => d.emails.map((e) => `${e.contact.id}: ${e.notices.map((n) => `${n.kind} ${n.alert.id}`).join(', ')}`);

describe('planNotifications', () => {
  it('told means accepted: a contact whose notice is still on its way (or failed) gets no second one, nor a resolution it was never told the opening of', () => {
    const queued = new Set(['a1\u0000city']);
    expect(summary(plan([alert(1)], { queued }))).toEqual(['wen: open a1']);
    // Resolved before the city's opening was accepted: 温县, told, hears of it; the city does not.
    const wenTold: LogEntry = {
      alert_id: 'a1',
      contact_id: 'wen',
      occurrence: 1,
      status: 'open',
      notified_at: new Date(T0 - HOUR).toISOString(),
      told_at: new Date(T0 - HOUR).toISOString(),
      escalated: false,
    };
    expect(summary(plan([alert(1, { status: 'resolved' })], { log: [wenTold] }))).toEqual(['wen: resolve a1']);
  });

  it('groups 300 alerts of one sweep into one email per recipient, to the region and the city only', () => {
    const d = plan(Array.from({ length: 300 }, (_, i) => alert(i)));
    expect(d.emails.map((e) => [e.contact.id, e.scopeRegion, e.notices.length])).toEqual([
      ['wen', '410825', 300],
      ['city', '410800', 300],
    ]);
    expect(d.log).toHaveLength(600);
  });

  it('lists new alerts most severe first, then reminders, then resolved', () => {
    const log: LogEntry[] = [
      {
        alert_id: 'a3',
        contact_id: 'wen',
        occurrence: 1,
        status: 'open',
        notified_at: new Date(T0 - 25 * HOUR).toISOString(),
        told_at: new Date(T0 - 25 * HOUR).toISOString(),
        escalated: false,
      },
      {
        alert_id: 'a4',
        contact_id: 'wen',
        occurrence: 1,
        status: 'open',
        notified_at: new Date(T0 - HOUR).toISOString(),
        told_at: new Date(T0 - HOUR).toISOString(),
        escalated: false,
      },
    ];
    const d = plan(
      [
        alert(1, { severity: 'warning', rule: 'KG-FACILITY' }),
        alert(2),
        alert(3, { opened_at: new Date(T0 - 25 * HOUR).toISOString() }),
        alert(4, { status: 'resolved', resolved_at: new Date(T0).toISOString() }),
      ],
      { log },
    );
    expect(summary(d)[0]).toBe('wen: open a2, open a1, renotify a3, resolve a4');
  });

  it('reminds after renotifyHours, escalates after escalateAfterDays, and an ack stops both', () => {
    const a = alert(1);
    let log = told([], plan([a]));
    expect(summary(plan([a], { log, now: T0 + 23 * HOUR }))).toEqual([]);
    const day1 = plan([a], { log, now: T0 + 24 * HOUR });
    expect(summary(day1)).toEqual(['wen: renotify a1', 'city: renotify a1']);
    log = told(log, day1);
    const day3 = plan([a], { log, now: T0 + 72 * HOUR });
    expect(summary(day3)).toEqual(['wen: renotify a1', 'city: renotify a1', 'esc: escalate a1']);
    log = told(log, day3);
    expect(log.find((e) => e.contact_id === 'esc')?.escalated).toBe(true);
    // The escalation contact is reminded like the others afterwards; an ack stops all of it.
    expect(summary(plan([a], { log, now: T0 + 96 * HOUR }))).toEqual(['wen: renotify a1', 'city: renotify a1', 'esc: renotify a1']);
    const acked = { ...a, acked_at: new Date(T0 + 80 * HOUR).toISOString() };
    expect(summary(plan([acked], { log, now: T0 + 96 * HOUR }))).toEqual([]);
    expect(summary(plan([{ ...acked, acked_at: new Date(T0 + HOUR).toISOString() }], { log: [], now: T0 + 96 * HOUR }))).toEqual([
      'wen: open a1',
      'city: open a1',
    ]);
  });

  it('counts the days to escalation from when the recipients were first told, not from a holiday that held the alert', () => {
    const a = alert(1);
    const festival = { until: T0 + 5 * 24 * HOUR, reason: '法定节假日：春节' };
    expect(summary(plan([a], { mute: festival, now: T0 + 4 * 24 * HOUR }))).toEqual([]);
    const told = plan([a], { now: T0 + 5 * 24 * HOUR });
    expect(summary(told)).toEqual(['wen: open a1', 'city: open a1']);
    let log = told.log;
    const day6 = plan([a], { log, now: T0 + 6 * 24 * HOUR });
    expect(summary(day6)).toEqual(['wen: renotify a1', 'city: renotify a1']);
    log = [...day6.log];
    // The reminder kept when they were first told: three days after that, it escalates.
    expect(log.every((e) => e.told_at === new Date(T0 + 5 * 24 * HOUR).toISOString())).toBe(true);
    expect(summary(plan([a], { log, now: T0 + 8 * 24 * HOUR }))).toContain('esc: escalate a1');
  });

  it('tells a resolution only to those told of the opening, and a reopening as such', () => {
    const a = alert(1);
    const log = told([], plan([a]));
    const resolved = { ...a, status: 'resolved' as const, resolved_at: new Date(T0 + HOUR).toISOString() };
    expect(summary(plan([resolved], { log, now: T0 + HOUR }))).toEqual(['wen: resolve a1', 'city: resolve a1']);
    // Opened and resolved before anyone was told: nothing to say.
    expect(summary(plan([resolved], { log: [], now: T0 + HOUR }))).toEqual([]);
    const reopened = { ...a, occurrence: 2, opened_at: new Date(T0 + 2 * HOUR).toISOString(), reopensLastDay: 1 };
    expect(summary(plan([reopened], { log: told(log, plan([resolved], { log, now: T0 + HOUR })), now: T0 + 2 * HOUR }))).toEqual([
      'wen: reopen a1',
      'city: reopen a1',
    ]);
  });

  it('holds notices during a mute window and records nothing, so they go out when it ends; one resolved meanwhile is dropped', () => {
    const a = alert(1);
    const b = alert(2);
    const mute = { until: T0 + 5 * HOUR, reason: '静默时段 22:00–07:00' };
    const muted = plan([a, b], { mute });
    expect(muted.emails).toEqual([]);
    expect(muted.log).toEqual([]);
    expect(muted.held.map((h) => `${h.alertId}/${h.contactId}: ${h.reason}`)).toContain('a1/wen: 静默时段 22:00–07:00');
    const bResolved = { ...b, status: 'resolved' as const, resolved_at: new Date(T0 + HOUR).toISOString() };
    expect(summary(plan([a, bResolved], { now: T0 + 5 * HOUR }))).toEqual(['wen: open a1', 'city: open a1']);
  });

  it('holds a silenced alert until the silence ends, and not another region’s', () => {
    const silence: Silence = {
      id: 's1',
      rule: 'ADM-CROSS-REGION',
      school_id: null,
      region_code: '410825',
      until: new Date(T0 + 2 * HOUR).toISOString(),
      reason: '核查中',
      created_at: new Date(T0 - HOUR).toISOString(),
    };
    const wuzhi = alert(2, { region_code: '410823', school_id: '4108230001' });
    const d = plan([alert(1), wuzhi], { silences: [silence] });
    expect(summary(d)).toEqual(['wuzhi: open a2', 'city: open a2']);
    expect(d.held.filter((h) => h.alertId === 'a1').map((h) => h.reason)).toEqual(['静默规则：核查中', '静默规则：核查中']);
    expect(summary(plan([alert(1)], { silences: [silence], now: T0 + 2 * HOUR }))).toEqual(['wen: open a1', 'city: open a1']);
  });

  it('tells a flapping alert once a day with its count', () => {
    const a = alert(1, { occurrence: 6, reopensLastDay: 5 });
    const first = plan([a]);
    expect(first.emails[0]?.notices.map((n) => [n.kind, n.flapCount])).toEqual([['reopen', 5]]);
    const log = told([], first);
    expect(summary(plan([{ ...a, occurrence: 7, reopensLastDay: 6 }], { log, now: T0 + HOUR }))).toEqual([]);
    expect(summary(plan([{ ...a, status: 'resolved', resolved_at: new Date(T0 + HOUR).toISOString() }], { log, now: T0 + HOUR }))).toEqual([]);
    expect(summary(plan([{ ...a, occurrence: 9, reopensLastDay: 4 }], { log, now: T0 + 25 * HOUR }))).toEqual(['wen: reopen a1', 'city: reopen a1']);
  });

  it('sends data-health alerts to the data team and respects each contact’s least severity', () => {
    const stale = alert(1, { rule: 'DQ-STALE-FEED', region_code: null, school_id: null, subject: 'admission' });
    const info = alert(2, { severity: 'info' });
    expect(summary(plan([stale, info]))).toEqual(['data: open a1', 'wen: open a2']);
  });
});

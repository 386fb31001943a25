/**
 * What bench:console puts in a copy of the simulated year's warehouse before the service starts:
 * alerts as a season of monitoring leaves them (open ones spread over the 11 counties and
 * districts and several rules, on the registry's schools, some acknowledged, some silenced, a few
 * reopened; resolved ones beside them; a few data-health ones), their transitions and
 * acknowledgements, the alert emails that told of them (outbox + outbox_notices), and the
 * console's users. Inserted with SQL from JSON Lines files written next to the copy; the users
 * through usersRequest, as `edumon users add` makes them. Deterministic for a seed, apart from
 * the times, which count back from now.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { alertIdOf } from '../alerts/evaluate.ts';
import { CITY_CODE, regionName, regions } from '../core/regions.ts';
import { rng } from '../core/rng.ts';
import { usersRequest } from '../service/console/userStore.ts';

/** The 11 counties and districts (the city's code is not a place alerts are opened in). */
export const COUNTIES = regions.filter((r) => r.code !== CITY_CODE).map((r) => r.code);

const DAY = 86_400_000;
const OUTCOMES = ['confirmed', 'fixed', 'data_wrong', 'false_alarm'] as const;

/** core/rng.ts's seeded PRNG with the draws the seed uses: the same seed, the same warehouse. */
export function prng(seed: number) {
  const r = rng(seed);
  return {
    next: r.next,
    /** An integer in [0, n). */
    int: (n: number) => r.int(0, n - 1),
    pick: r.pick,
    hex: (n: number) => Array.from({ length: n }, () => r.int(0, 15).toString(16)).join(''),
  };
}

type Rng = ReturnType<typeof prng>;

interface School {
  school_id: string;
  name: string;
  region_code: string;
  event_id: string;
}

/** A school-level rule as the bench makes its alerts: its severity, share of the alerts, period and figures. */
interface RuleKind {
  rule: string;
  severity: 'critical' | 'warning';
  weight: number;
  make(r: Rng, s: School, eventId: string): { period: string; subject: string | null; observed: string | null; threshold: string | null; details: object };
}

const RULES: RuleKind[] = [
  {
    rule: 'ADM-CROSS-REGION',
    severity: 'critical',
    weight: 22,
    make: (r, s, eventId) => ({
      period: '2026',
      subject: r.hex(16),
      observed: null,
      threshold: null,
      details: { home_region_code: r.pick(COUNTIES.filter((c) => c !== s.region_code)), admission_type: 'unified', event_id: eventId },
    }),
  },
  {
    rule: 'ADM-OVER-QUOTA',
    severity: 'critical',
    weight: 6,
    make: (r, _s, eventId) => {
      const quota = 200 + 50 * r.int(8);
      const admitted = quota + 1 + r.int(40);
      return {
        period: '2026',
        subject: null,
        observed: String(admitted),
        threshold: String(quota),
        details: { net_admissions: admitted, plan_quota: quota, event_id: eventId },
      };
    },
  },
  {
    rule: 'ADM-CLASS-SIZE',
    severity: 'warning',
    weight: 14,
    make: (r, _s, eventId) => {
      const students = 56 + r.int(12);
      return {
        period: '2026',
        subject: `C${String(1 + r.int(24)).padStart(2, '0')}`,
        observed: String(students),
        threshold: '55',
        details: { students, max_class_size: 55, event_id: eventId },
      };
    },
  },
  {
    rule: 'KG-TEACHER-RATIO',
    severity: 'warning',
    weight: 12,
    make: (r, _s, eventId) => {
      const teachers = 3 + r.int(12);
      const children = Math.round(teachers * (15.5 + r.next() * 8));
      return {
        period: '2026',
        subject: null,
        observed: String(Math.round((100 * children) / teachers) / 100),
        threshold: '15',
        details: { children, teachers, event_id: eventId },
      };
    },
  },
  {
    rule: 'WAGE-LATE',
    severity: 'warning',
    weight: 16,
    make: (r, _s, eventId) => {
      const late = 3 + r.int(40);
      return {
        period: `2026-${String(9 + r.int(3)).padStart(2, '0')}`,
        subject: r.hex(16),
        observed: String(late),
        threshold: '0',
        details: { first_late_payment_on: '2026-11-18', due_date: '2026-11-10', event_id: eventId },
      };
    },
  },
  {
    rule: 'WAGE-SHORT',
    severity: 'critical',
    weight: 10,
    make: (r, _s, eventId) => {
      const agreed = 3200 + 100 * r.int(30);
      const paid = agreed - 100 - 50 * r.int(30);
      return {
        period: `2026-${String(9 + r.int(3)).padStart(2, '0')}`,
        subject: r.hex(16),
        observed: String(paid),
        threshold: String(agreed),
        details: { paid_yuan: paid, agreed_yuan: agreed, payments: 1, event_id: eventId },
      };
    },
  },
  {
    rule: 'HS-TUITION',
    severity: 'warning',
    weight: 6,
    make: (r, _s, eventId) => {
      const cost = 12000 + 500 * r.int(20);
      const tuition = Math.round(cost * (0.26 + r.next() * 0.1));
      return {
        period: '2026',
        subject: null,
        observed: String(tuition),
        threshold: String(cost * 0.25),
        details: { tuition_yuan_per_year: tuition, cost_per_student_yuan_per_year: cost, event_id: eventId },
      };
    },
  },
  {
    rule: 'KG-UNLICENSED',
    severity: 'critical',
    weight: 4,
    make: (_r, s) => ({
      period: '2026',
      subject: null,
      observed: null,
      threshold: null,
      details: { status: 'operating', licensed: false, event_id: s.event_id },
    }),
  },
  {
    rule: 'STAFF-POACHED',
    severity: 'warning',
    weight: 6,
    make: (r, s, eventId) => ({
      period: '2026',
      subject: r.hex(16),
      observed: null,
      threshold: null,
      details: { from_school_id: s.school_id, months: 1 + r.int(5), event_id: eventId },
    }),
  },
  {
    rule: 'INSURANCE-MISSING',
    severity: 'critical',
    weight: 4,
    make: (r, _s, eventId) => ({
      period: `2026-${String(9 + r.int(3)).padStart(2, '0')}`,
      subject: r.hex(16),
      observed: null,
      threshold: null,
      details: { event_id: eventId },
    }),
  },
];
const WEIGHTS = RULES.reduce((n, k) => n + k.weight, 0);

export interface SeedOptions {
  /** Open alerts (regional, on schools). */
  open: number;
  /** Resolved alerts beside them. */
  resolved: number;
  sessions: number;
  seed: number;
  now: number;
}

/** A console user the bench signs in as. */
export interface BenchUser {
  id: string;
  password: string;
  role: 'county' | 'city';
  regions: string[];
}

export interface Seeded {
  users: BenchUser[];
  /** Every alert the bench inserted: what a user's scope lets them open. */
  alerts: Array<{ id: string; rule: string; region_code: string | null; status: string }>;
  /** Rules with open alerts, for the board's rule filter. */
  rules: string[];
  /** Parts of registered school names, by region, for the board's school filter. */
  schoolWords: Map<string, string[]>;
  counts: Record<string, number>;
}

/** The console's users: about 7 in 10 county officials (each county covered, every fifth covering two), the rest city officials. */
export function benchUsers(sessions: number): BenchUser[] {
  const counties = Math.round(sessions * 0.7);
  return Array.from({ length: sessions }, (_, i): BenchUser => {
    const n = String(i + 1).padStart(2, '0');
    if (i < counties) {
      const own = COUNTIES[i % COUNTIES.length]!;
      const second = COUNTIES[(i + 1) % COUNTIES.length]!;
      return { id: `bench-county-${n}`, password: `bench-console-${n}-password`, role: 'county', regions: i % 5 === 4 ? [own, second] : [own] };
    }
    return { id: `bench-city-${n}`, password: `bench-console-${n}-password`, role: 'city', regions: [] };
  });
}

const jsonl = (rows: readonly object[]) => `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;

/** Inserts the bench's alerts, their history, emails and users into `conn`'s warehouse; `dir` holds the JSON Lines files meanwhile. */
export async function seedConsole(conn: DuckDBConnection, dir: string, opts: SeedOptions, onProgress: (msg: string) => void): Promise<Seeded> {
  const r = prng(opts.seed);
  const { now } = opts;
  const iso = (ms: number) => new Date(ms).toISOString();

  const schoolRows = (
    await conn.runAndReadAll(
      `select school_id, name, region_code, event_id from current_schools where list_contains($regions::varchar[], region_code) order by school_id`,
      { regions: `[${COUNTIES.join(',')}]` },
    )
  ).getRowObjectsJson() as unknown as School[];
  const schools = new Map<string, School[]>(COUNTIES.map((c) => [c, []]));
  for (const s of schoolRows) schools.get(s.region_code)?.push(s);
  const empty = COUNTIES.filter((c) => !schools.get(c)!.length);
  if (empty.length) throw new Error(`the warehouse's registry has no school in ${empty.join(', ')}`);
  const admissionEvents = (await conn.runAndReadAll(`select event_id from admissions using sample reservoir(5000 rows) repeatable (1)`))
    .getRows()
    .map((row) => String(row[0]));
  onProgress(`registry: ${schoolRows.length} schools in the 11 counties and districts; ${admissionEvents.length} admission events sampled for evidence`);

  const users = benchUsers(opts.sessions);
  const countyUsers = new Map(COUNTIES.map((c) => [c, users.filter((u) => u.regions.includes(c))]));
  const cityUsers = users.filter((u) => u.role === 'city');
  const ackerOf = (region: string) => {
    const own = countyUsers.get(region) ?? [];
    return own.length && r.next() < 0.8 ? r.pick(own).id : cityUsers.length ? r.pick(cityUsers).id : 'cli';
  };

  const alerts: Array<Record<string, unknown>> = [];
  const transitions: Array<Record<string, unknown>> = [];
  const acks: Array<Record<string, unknown>> = [];
  const ids = new Set<string>();
  const pickRule = () => {
    let x = r.next() * WEIGHTS;
    for (const k of RULES) {
      x -= k.weight;
      if (x < 0) return k;
    }
    return RULES.at(-1)!;
  };

  const addAlert = (status: 'open' | 'resolved') => {
    for (;;) {
      const region = r.pick(COUNTIES);
      const school = r.pick(schools.get(region)!);
      const kind = pickRule();
      const eventId = kind.rule.startsWith('ADM-') && admissionEvents.length ? r.pick(admissionEvents) : school.event_id;
      const v = kind.make(r, school, eventId);
      const id = alertIdOf({ rule: kind.rule, school_id: school.school_id, region_code: region, period: v.period, subject: v.subject });
      if (ids.has(id)) continue;
      ids.add(id);
      const occurrence = r.next() < 0.85 ? 1 : r.next() < 0.8 ? 2 : 3;
      // The current occurrence opened within the last six weeks; earlier ones a few weeks before it.
      const openedAt = now - Math.floor(r.next() * 42 * DAY) - 3_600_000;
      const firstAt = openedAt - (occurrence - 1) * (7 + r.int(14)) * DAY;
      let t = firstAt;
      for (let o = 1; o <= occurrence; o++) {
        if (o > 1) t = openedAt - (occurrence - o) * 5 * DAY;
        transitions.push({ alert_id: id, kind: o === 1 ? 'open' : 'reopen', occurrence: o, happened_at: iso(t) });
        if (o < occurrence) {
          const resolvedAt = t + (1 + r.int(3)) * DAY;
          transitions.push({ alert_id: id, kind: 'resolve', occurrence: o, happened_at: iso(resolvedAt) });
          // An earlier occurrence acknowledged before it resolved: kept in alert_acks, not on the row.
          if (r.next() < 0.5)
            acks.push({
              alert_id: id,
              occurrence: o,
              acked_at: iso(t + 3_600_000),
              acked_by: ackerOf(region),
              outcome: r.pick(OUTCOMES),
              note: '已通知学校核查',
            });
        }
      }
      const resolvedAt = status === 'resolved' ? Math.min(now - 60_000, openedAt + (1 + r.int(10)) * DAY) : null;
      if (resolvedAt !== null) transitions.push({ alert_id: id, kind: 'resolve', occurrence, happened_at: iso(resolvedAt) });
      const acked = r.next() < (status === 'open' ? 0.15 : 0.4);
      const ackedAt = acked ? Math.min(now - 60_000, openedAt + 3_600_000 + r.int(3 * DAY)) : null;
      const ack = acked ? { by: ackerOf(region), outcome: r.pick(OUTCOMES), note: r.next() < 0.5 ? '已电话核实，学校正在整改' : null } : null;
      if (ack) acks.push({ alert_id: id, occurrence, acked_at: iso(ackedAt!), acked_by: ack.by, outcome: ack.outcome, note: ack.note });
      alerts.push({
        id,
        rule: kind.rule,
        school_id: school.school_id,
        region_code: region,
        period: v.period,
        subject: v.subject,
        severity: kind.severity,
        status,
        occurrence,
        opened_at: iso(openedAt),
        last_seen_at: iso(resolvedAt ?? Math.max(openedAt, now - r.int(DAY))),
        resolved_at: resolvedAt === null ? null : iso(resolvedAt),
        observed: v.observed,
        threshold: v.threshold,
        details: JSON.stringify(v.details),
        acked_at: ackedAt === null ? null : iso(ackedAt),
        ack_note: ack?.note ?? null,
        ack_outcome: ack?.outcome ?? null,
        acked_by: ack?.by ?? null,
      });
      return;
    }
  };
  for (let i = 0; i < opts.open; i++) addAlert('open');
  for (let i = 0; i < opts.resolved; i++) addAlert('resolved');
  // A few data-health alerts (no region): the data team's, outside every county's and the city's scope.
  for (const feed of ['registry', 'admission', 'staff', 'wage', 'funds', 'insurance']) {
    const id = alertIdOf({ rule: 'DQ-STALE-FEED', school_id: null, region_code: null, period: '2026', subject: feed });
    const openedAt = now - (1 + r.int(10)) * DAY;
    alerts.push({
      id,
      rule: 'DQ-STALE-FEED',
      school_id: null,
      region_code: null,
      period: '2026',
      subject: feed,
      severity: 'critical',
      status: 'open',
      occurrence: 1,
      opened_at: iso(openedAt),
      last_seen_at: iso(now - 600_000),
      resolved_at: null,
      observed: String(30 + r.int(100)),
      threshold: '24',
      details: JSON.stringify({ unit: 'hours', last_event_at: iso(openedAt - DAY) }),
      acked_at: null,
      ack_note: null,
      ack_outcome: null,
      acked_by: null,
    });
    transitions.push({ alert_id: id, kind: 'open', occurrence: 1, happened_at: iso(openedAt) });
  }

  // Alert emails: each county's new alerts of a day in one email to its office and one to the
  // city's; about one in five open alerts reminded a week later. Seven in ten alerts were mailed
  // (the rest opened while mail was muted, say).
  const outbox: Array<Record<string, unknown>> = [];
  const notices: Array<Record<string, unknown>> = [];
  const groups = new Map<string, Array<Record<string, unknown>>>();
  for (const a of alerts) {
    if (a.region_code === null || r.next() >= 0.7) continue;
    const day = Math.floor(Date.parse(String(a.opened_at)) / DAY);
    const key = `${a.region_code}|${day}|${a.occurrence === 1 ? 'open' : 'reopen'}`;
    groups.set(key, [...(groups.get(key) ?? []), a]);
    if (a.status === 'open' && r.next() < 0.2 && (day + 7) * DAY < now) {
      const later = `${a.region_code}|${day + 7}|renotify`;
      groups.set(later, [...(groups.get(later) ?? []), a]);
    }
  }
  for (const [key, members] of groups) {
    const [region, day, kind] = key.split('|') as [string, string, string];
    const createdAt = Number(day) * DAY + 9 * 3_600_000 + r.int(3_600_000);
    for (const contact of [`county-${region}`, 'city']) {
      const id = `bench-${r.hex(24)}`;
      outbox.push({
        id,
        message_id: `${id}@notify.bench.invalid`,
        contact_id: contact,
        address: `${contact}@jyj.bench.invalid`,
        kind: 'alerts',
        subject: `【教育监测】${members.length} 条${kind === 'renotify' ? '未处理' : '新'}告警`,
        html: `<p>${members.length} alerts</p>`,
        text: `${members.length} alerts`,
        attachments: '[]',
        alert_ids: JSON.stringify(members.map((m) => m.id)),
        created_at: iso(createdAt),
        state: 'sent',
        attempts: 1,
        next_attempt_at: iso(createdAt),
        sent_at: iso(createdAt + 2_000 + r.int(30_000)),
        last_code: 250,
        last_reply: '250 2.0.0 Ok: queued',
        queued_at: iso(createdAt),
        requeues: 0,
        hold_reason: null,
      });
      for (const m of members)
        notices.push({ outbox_id: id, alert_id: m.id, contact_id: contact, occurrence: m.occurrence, status: 'open', kind, escalated: false });
    }
  }

  const files = { alerts, transitions, acks, outbox, notices };
  for (const [name, rows] of Object.entries(files)) writeFileSync(join(dir, `${name}.jsonl`), jsonl(rows));
  const read = (name: string, columns: string) =>
    `read_json('${join(dir, `${name}.jsonl`).replaceAll("'", "''")}', format = 'newline_delimited', columns = {${columns}})`;
  await conn.run('begin');
  try {
    await conn.run(
      `insert into alerts by name select * from ${read(
        'alerts',
        `id: 'varchar', rule: 'varchar', school_id: 'varchar', region_code: 'varchar', period: 'varchar', subject: 'varchar',
       severity: 'varchar', status: 'varchar', occurrence: 'integer', opened_at: 'timestamptz', last_seen_at: 'timestamptz',
       resolved_at: 'timestamptz', observed: 'varchar', threshold: 'varchar', details: 'json', acked_at: 'timestamptz',
       ack_note: 'varchar', ack_outcome: 'varchar', acked_by: 'varchar'`,
      )}`,
    );
    await conn.run(
      `insert into alert_transitions by name select * from ${read('transitions', `alert_id: 'varchar', kind: 'varchar', occurrence: 'integer', happened_at: 'timestamptz'`)}`,
    );
    await conn.run(
      `insert into alert_acks by name select * from ${read(
        'acks',
        `alert_id: 'varchar', occurrence: 'integer', acked_at: 'timestamptz', acked_by: 'varchar', outcome: 'varchar', note: 'varchar'`,
      )}`,
    );
    await conn.run(
      `insert into outbox by name select * from ${read(
        'outbox',
        `id: 'varchar', message_id: 'varchar', contact_id: 'varchar', address: 'varchar', kind: 'varchar', subject: 'varchar',
       html: 'varchar', text: 'varchar', attachments: 'json', alert_ids: 'json', created_at: 'timestamptz', state: 'varchar',
       attempts: 'integer', next_attempt_at: 'timestamptz', sent_at: 'timestamptz', last_code: 'integer', last_reply: 'varchar',
       queued_at: 'timestamptz', requeues: 'integer', hold_reason: 'varchar'`,
      )}`,
    );
    await conn.run(
      `insert into outbox_notices by name select * from ${read(
        'notices',
        `outbox_id: 'varchar', alert_id: 'varchar', contact_id: 'varchar', occurrence: 'integer', status: 'varchar', kind: 'varchar', escalated: 'boolean'`,
      )}`,
    );
    // Silences a county asked for: one rule in one county, one in another, one school.
    const silenced = alerts.find((a) => a.rule === 'ADM-CLASS-SIZE' && a.status === 'open')!;
    const silences = [
      { rule: 'KG-TEACHER-RATIO', school: null, region: COUNTIES[6]!, reason: '幼儿园教师招聘进行中（bench-county）' },
      { rule: 'WAGE-LATE', school: null, region: COUNTIES[9]!, reason: '县财政拨款延迟，已报市局（bench-county）' },
      { rule: 'ADM-CLASS-SIZE', school: String(silenced.school_id), region: String(silenced.region_code), reason: '学校已提交分班方案（bench-county）' },
    ];
    for (const [i, s] of silences.entries())
      await conn.run(`insert into silences values ($id, $rule, $school, $region, $until::timestamptz, $reason, $created::timestamptz)`, {
        id: `bench-silence-${i + 1}`,
        rule: s.rule,
        school: s.school,
        region: s.school ? null : s.region,
        until: iso(now + 21 * DAY),
        reason: s.reason,
        created: iso(now - 2 * DAY),
      });
    await conn.run('commit');
  } catch (err) {
    await conn.run('rollback');
    throw err;
  }
  onProgress(
    `inserted ${alerts.length} alerts, ${transitions.length} transitions, ${acks.length} acknowledgements, ${outbox.length} emails with ${notices.length} notices, 3 silences`,
  );

  for (const u of users)
    await usersRequest(
      conn,
      {
        action: 'add',
        id: u.id,
        name: u.role === 'city' ? '焦作市教育局' : `${u.regions.map((c) => regionName(c)).join('、')}教育局`,
        role: u.role,
        regions: u.regions,
        password: u.password,
      },
      new Date(now),
    );
  onProgress(`added ${users.length} console users (${users.filter((u) => u.role === 'county').length} county, ${cityUsers.length} city)`);

  const schoolWords = new Map<string, string[]>();
  for (const [region, list] of schools) {
    // The distinctive middle of a few names (a name ends in its kind: 幼儿园, 中学...).
    const words = Array.from({ length: 5 }, () => r.pick(list).name)
      .map((name) => [...name].slice(Math.max(0, [...name].length - 7), -3).join(''))
      .filter((w) => w.length >= 2);
    schoolWords.set(region, words);
  }
  const count = (rows: readonly Record<string, unknown>[], p: (x: Record<string, unknown>) => boolean) => rows.filter(p).length;
  return {
    users,
    alerts: alerts.map((a) => ({ id: String(a.id), rule: String(a.rule), region_code: (a.region_code as string | null) ?? null, status: String(a.status) })),
    rules: [...new Set(alerts.filter((a) => a.status === 'open' && a.region_code !== null).map((a) => String(a.rule)))].sort(),
    schoolWords,
    counts: {
      alerts: alerts.length,
      open: count(alerts, (a) => a.status === 'open'),
      openRegional: count(alerts, (a) => a.status === 'open' && a.region_code !== null),
      openAcked: count(alerts, (a) => a.status === 'open' && a.acked_at !== null),
      resolved: count(alerts, (a) => a.status === 'resolved'),
      reopened: count(alerts, (a) => Number(a.occurrence) > 1),
      transitions: transitions.length,
      acks: acks.length,
      emails: outbox.length,
      notices: notices.length,
      silences: 3,
      schools: schoolRows.length,
    },
  };
}

/**
 * The officials' console's world (issue 23), the cheapest that shows every part of it: the real
 * `edumon run` with its console, an in-process SMTP server for its emails, contacts for 温县
 * (410825), 武陟县 (410823), the city, an escalation contact and the data team, a controlled clock
 * that a test moves forward days at once (failpoints.clock jumps=), and these events published to
 * Kafka (`edumon ingest`):
 *
 * - five admissions from outside the school's county (ADM-CROSS-REGION): two at 温县第一高级中学
 *   (`board`, `link`), one at 温县第二高级中学 (`silence`), one at a 温县 school registered as
 *   `<img src=x onerror=alert(1)>` (`hostile`), one at 武陟县第一高级中学 (`wuzhi`);
 * - six admissions at 武陟县第二高级中学 before its plan's window opens (ADM-OUT-OF-WINDOW): with
 *   rules.stormMaxOpens 5, the storm valve holds them and opens DQ-ALERT-STORM (`storm`).
 *
 * The rules run once each through the service, as of the clock, with their emails; the schedule
 * stays off, so nothing else opens or resolves an alert. 温县 also has a kindergarten with its
 * children and a population report, so its weekly indicators have values. Users, one per role
 * (wen and wuzhi county officials of their counties; `spare`, a county official to lock out), are
 * created in the warehouse before the service starts. For tests/e2e/console.test.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, openWarehouse } from '../../core/db.ts';
import { migrate } from '../../pipeline/migrate.ts';
import { callService, readServiceFile, type ServiceInfo } from '../../service/client.ts';
import { usersRequest } from '../../service/console/userStore.ts';
import { type Running, runEdumon, spawnEdumon, waitFor } from './cli.ts';
import { catcherNotify, type SmtpCatcher, startSmtpCatcher } from './smtpCatcher.ts';
import { type TestEnv, testEnv } from './testEnv.ts';

/** The service's clock when it starts: a Monday of admission season, 10:00 in Jiaozuo. */
export const CLOCK_START = '2025-07-14T10:00:00+08:00';
/** The key email links are signed with (console.linkKey), so a test can sign a link of its own. */
export const LINK_KEY = 'console-e2e-link-key-0123456789abcdef-not-a-secret';

export const WEN = '410825';
export const WUZHI = '410823';
export const SCHOOLS = {
  wenKg: { id: '1141250001', name: '温县实验幼儿园', region: WEN },
  wen1: { id: '3441250001', name: '温县第一高级中学', region: WEN },
  wen2: { id: '3441250002', name: '温县第二高级中学', region: WEN },
  hostile: { id: '3441250003', name: '<img src=x onerror=alert(1)>', region: WEN },
  wuzhi1: { id: '3441230001', name: '武陟县第一高级中学', region: WUZHI },
  wuzhi2: { id: '3441230002', name: '武陟县第二高级中学', region: WUZHI },
} as const;

/** The console's users: login, name, role, regions; every password is PASSWORD. */
export const USERS = {
  wen: { name: '温县教育局 张老师', role: 'county', regions: [WEN] },
  wuzhi: { name: '武陟县教育局 李老师', role: 'county', regions: [WUZHI] },
  city: { name: '焦作市教育局 王科长', role: 'city', regions: [] },
  data: { name: '数据组 赵工', role: 'data', regions: [] },
  analyst: { name: '分析人员 陈博士', role: 'analyst', regions: [] },
  admin: { name: '系统管理员', role: 'admin', regions: [] },
  spare: { name: '孟州市教育局 备用', role: 'county', regions: ['410883'] },
} as const;
export type UserId = keyof typeof USERS;
export const PASSWORD = 'Jiaozuo-2025-console';

export const EMAILS = {
  wen: 'wen@jyj.example.cn',
  wuzhi: 'wuzhi@jyj.example.cn',
  city: 'city@jyj.example.cn',
  esc: 'esc@jyj.example.cn',
  data: 'data@jyj.example.cn',
} as const;

/** The alerts of the world, by what each is for. */
export type AlertLabel = 'board' | 'link' | 'silence' | 'hostile' | 'wuzhi' | 'storm';
/** The event_id of the admission each cross-region alert names (details.event_id; emails show it). */
export const EVENT_OF: Record<Exclude<AlertLabel, 'storm'>, string> = {
  board: 'e2e-wen-board',
  link: 'e2e-wen-link',
  silence: 'e2e-wen-silence',
  hostile: 'e2e-wen-hostile',
  wuzhi: 'e2e-wuzhi',
};
const STORM_ADMISSIONS = 6;

export interface ConsoleWorld {
  t: TestEnv;
  /** The env `edumon` commands of this world run with. */
  env: Record<string, string>;
  /** The console's origin: http://127.0.0.1:<port>. */
  url: string;
  catcher: SmtpCatcher;
  service: Running;
  info: ServiceInfo;
  ids: Record<AlertLabel, string>;
  /** Rows of a read-only query through the service, as objects. */
  query(sql: string): Promise<Record<string, unknown>[]>;
  /** Moves the service's clock forward to `to` and waits until a notification round has written an email dated at it or later. */
  jumpClock(to: string): Promise<void>;
  stop(): Promise<void>;
}

const school = (s: (typeof SCHOOLS)[keyof typeof SCHOOLS]) => ({
  type: 'school.upserted',
  event_id: `e2e-school-${s.id}`,
  occurred_at: '2025-01-01T00:10:00+08:00',
  source: 'console-e2e',
  school_id: s.id,
  name: s.name,
  level: s.id === SCHOOLS.wenKg.id ? 'kindergarten' : 'high_school',
  ownership: 'public',
  region_code: s.region,
  status: 'active',
  licensed: true,
  capacity: 3000,
});
const admit = (event_id: string, school_id: string, student_id: string, home: string, at: string) => ({
  type: 'admission.admitted',
  event_id,
  occurred_at: at,
  source: 'console-e2e',
  school_id,
  student_id,
  year: 2025,
  home_region_code: home,
  admission_type: 'unified',
});

/** `count` children or students enrolled at `school` on 1 March 2025. */
const enrolled = (school: string, level: string, count: number) =>
  Array.from({ length: count }, (_, i) => ({
    type: 'enrollment.enrolled',
    event_id: `e2e-enrolled-${school}-${i}`,
    occurred_at: '2025-03-01T09:00:00+08:00',
    source: 'console-e2e',
    school_id: school,
    student_id: `S${school}-${i}`,
    year: 2025,
    level,
    grade: 1,
    class_id: 'c1',
    home_region_code: WEN,
  }));

/**
 * Every event of the world, in publishing order. 温县's indicators have values: 100 children aged
 * 3-5 and 100 aged 15-17 reported, 97 children at its kindergarten, 60 students at its first high
 * school (学前三年毛入园率 97.0%, 高中阶段毛入学率 60.0%).
 */
export function worldEvents(): object[] {
  return [
    ...Object.values(SCHOOLS).map(school),
    {
      type: 'population.reported',
      event_id: 'e2e-population-wen',
      occurred_at: '2025-01-02T09:00:00+08:00',
      source: 'console-e2e',
      region_code: WEN,
      year: 2025,
      age_3_5: 100,
      age_15_17: 100,
    },
    ...enrolled(SCHOOLS.wenKg.id, 'kindergarten', 97),
    ...enrolled(SCHOOLS.wen1.id, 'high_school', 60),
    {
      type: 'admission_plan.published',
      event_id: 'e2e-plan-wuzhi2',
      occurred_at: '2025-07-01T09:00:00+08:00',
      source: 'console-e2e',
      school_id: SCHOOLS.wuzhi2.id,
      year: 2025,
      plan_quota: 300,
      window_opens_at: '2025-07-10T09:00:00+08:00',
      window_closes_at: '2025-07-20T18:00:00+08:00',
    },
    ...Array.from({ length: STORM_ADMISSIONS }, (_, i) =>
      admit(`e2e-storm-${i + 1}`, SCHOOLS.wuzhi2.id, `41082320090101${String(1000 + i)}`, WUZHI, `2025-07-08T09:0${i}:00+08:00`),
    ),
    admit(EVENT_OF.board, SCHOOLS.wen1.id, '410823200901011001', WUZHI, '2025-07-14T08:00:00+08:00'),
    admit(EVENT_OF.link, SCHOOLS.wen1.id, '410823200901011002', WUZHI, '2025-07-14T08:05:00+08:00'),
    admit(EVENT_OF.silence, SCHOOLS.wen2.id, '410823200901011003', WUZHI, '2025-07-14T08:10:00+08:00'),
    admit(EVENT_OF.hostile, SCHOOLS.hostile.id, '410823200901011004', WUZHI, '2025-07-14T08:15:00+08:00'),
    admit(EVENT_OF.wuzhi, SCHOOLS.wuzhi1.id, '410825200901011005', WEN, '2025-07-14T08:20:00+08:00'),
  ];
}

/**
 * Builds the world in a fresh folder and starts `edumon run` on it; resolves once the rules have
 * opened every alert and the first emails were accepted by the SMTP server.
 */
export async function startConsoleWorld(name = 'console-e2e'): Promise<ConsoleWorld> {
  const scratch = mkdtempSync(join(tmpdir(), `edumon-${name}-cfg-`));
  const catcher = await startSmtpCatcher();
  const configFile = join(scratch, 'config.json');
  const jumps = join(scratch, 'clock-jump');
  writeFileSync(
    configFile,
    JSON.stringify({
      notify: {
        ...catcherNotify(catcher),
        contacts: {
          [WEN]: [{ id: 'wen', name: '温县教育局', email: EMAILS.wen }],
          [WUZHI]: [{ id: 'wuzhi', name: '武陟县教育局', email: EMAILS.wuzhi }],
          '410800': [{ id: 'city', name: '焦作市教育局', email: EMAILS.city }],
        },
        escalation: [{ id: 'esc', name: '焦作市教育局督导室', email: EMAILS.esc }],
        dataTeam: [{ id: 'data', name: '数据组', email: EMAILS.data }],
      },
      rules: { stormMaxOpens: STORM_ADMISSIONS - 1 },
    }),
  );
  const t = testEnv(name, {
    EDUMON_CONFIG: configFile,
    EDUMON_FAILPOINT_CLOCK: `at=${CLOCK_START},jumps=${jumps}`,
    EDUMON_CONSOLE_LINK_KEY: LINK_KEY,
    // Notification rounds (reminders, escalations) every 2 s: the schedule is off, so they are all that ticks.
    EDUMON_RULES_TICK_SECONDS: '2',
  });
  const env = t.env;

  const instance = await openWarehouse(t.config.warehouse);
  const conn = await connect(instance);
  try {
    await migrate(conn);
    for (const [id, u] of Object.entries(USERS))
      await usersRequest(conn, { action: 'add', id, name: u.name, role: u.role, regions: [...u.regions], password: PASSWORD });
    await conn.run('checkpoint');
  } finally {
    conn.closeSync();
    instance.closeSync();
  }

  const service = spawnEdumon(['run'], env);
  let info: ServiceInfo | null = null;
  await waitFor(
    () => {
      if (service.child.exitCode !== null) throw new Error(`edumon run exited:\n${service.output()}`);
      info = readServiceFile(t.config.warehouse);
      return info?.console !== undefined;
    },
    90_000,
    'the service and its console to start',
  );
  const live = info as unknown as ServiceInfo;
  const query = async (sql: string) => {
    const answer = await callService<{ columns: string[]; rows: unknown[][] }>(live, '/query', { sql });
    return answer.rows.map((r) => Object.fromEntries(answer.columns.map((c, i) => [c, r[i]])));
  };

  const eventsFile = join(scratch, 'events.jsonl');
  const events = worldEvents();
  writeFileSync(eventsFile, events.map((e) => `${JSON.stringify(e)}\n`).join(''));
  const ingest = await runEdumon(['ingest', eventsFile], env);
  if (ingest.code !== 0) throw new Error(`edumon ingest exited ${ingest.code}:\n${ingest.output}`);
  const count = (type: string) => events.filter((e) => (e as { type: string }).type === type).length;
  await waitFor(
    async () => {
      const [r] = await query('select (select count(*) from admissions)::int as a, (select count(*) from enrollments)::int as e');
      return r?.a === count('admission.admitted') && r?.e === count('enrollment.enrolled');
    },
    90_000,
    'the admissions and enrollments to be stored',
  );
  for (const rule of ['ADM-CROSS-REGION', 'ADM-OUT-OF-WINDOW']) await callService(live, '/rules/run', { at: CLOCK_START, rule, dryRun: false });

  const rows = await query(`select id, rule, details->>'event_id' as event_id from alerts`);
  const byEvent = new Map(rows.map((r) => [String(r.event_id), String(r.id)]));
  const ids = Object.fromEntries(Object.entries(EVENT_OF).map(([label, event]) => [label, byEvent.get(event)])) as Record<AlertLabel, string>;
  ids.storm = String(rows.find((r) => r.rule === 'DQ-ALERT-STORM')?.id);
  const missing = Object.entries(ids).filter(([, id]) => !id || id === 'undefined');
  if (missing.length) throw new Error(`the world's alerts did not all open (${missing.map(([l]) => l).join(', ')}): ${JSON.stringify(rows)}`);
  await waitFor(
    () => [EMAILS.wen, EMAILS.wuzhi, EMAILS.city, EMAILS.data].every((to) => catcher.accepted.some((m) => m.to.includes(to))),
    60_000,
    'the first alert emails',
  );

  return {
    t,
    env,
    url: live.console!,
    catcher,
    service,
    info: live,
    ids,
    query,
    async jumpClock(to: string) {
      const target = Date.parse(to);
      writeFileSync(jumps, `${to}\n`);
      // A round runs every tick and dates what it writes with the clock: a reminder of an alert never
      // acknowledged, composed at or after the moment jumped to, shows a round ran past it.
      await waitFor(
        async () => {
          const [r] = await query(`select max(created_at) as at from outbox`);
          return r?.at !== null && r?.at !== undefined && Date.parse(String(r.at)) >= target;
        },
        60_000,
        `a notification round at ${to}`,
      );
    },
    async stop() {
      if (service.child.exitCode === null && service.child.signalCode === null) {
        service.child.kill('SIGTERM');
        await service.exited;
      }
      await catcher.stop();
      rmSync(t.dir, { recursive: true, force: true });
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

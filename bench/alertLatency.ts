/**
 * bench:alert-latency — how long from publishing a violating admission to the SMTP server
 * accepting the email that tells the county of it (issue 12: target p95 under 5 s; Grafana needs
 * at least 10 s of evaluation plus 30 s of group wait, Superset a minute).
 *
 * `edumon run` runs as a user runs it (its own process, the default settings, a season covering
 * today), mailing a local catcher (service/mailCatcher.ts). Ten 温县 high schools and their plans
 * are published and stored first; then N cross-region admissions (students of 武陟县 at 温县
 * schools: ADM-CROSS-REGION, critical), one every --interval ms, each with occurred_at = the
 * moment it is published. An admission's latency is the time from its send being acknowledged by
 * the broker to the catcher's 250 for the first email to 温县 that names its event_id.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../core/config.ts';
import { createKafka } from '../core/kafka.ts';
import { createLogger } from '../core/log.ts';
import { shanghaiDate, shanghaiWall } from '../core/shanghai.ts';
import { messageKey } from '../domain/contract.ts';
import { openProducer } from '../ingest/openProducer.ts';
import { startMailCatcher } from '../service/mailCatcher.ts';
import { fmt, parseBenchArgs, progress, runMain } from './common.ts';

const ROOT = join(import.meta.dirname, '..');
const USAGE = `usage: npm run bench:alert-latency -- [--count N] [--interval MS]

Publishes N violating admissions (default 60), one every --interval ms (default 1000), into a
running edumon (its own process, default settings, a season covering today) and measures publish
-> SMTP accepted for each; prints p50 / p95 / max and writes bench/results/alert-latency-*.json.
Needs the local broker (npm run kafka:up).`;

const SCHOOLS = Array.from({ length: 10 }, (_, i) => `34412500${String(i + 1).padStart(2, '0')}`);
const shanghaiIso = (ms: number) => `${shanghaiWall(ms).toISOString().slice(0, 23)}+08:00`;
const monthDay = (ms: number) => shanghaiDate(ms).slice(5);

async function main(): Promise<number> {
  const args = parseBenchArgs(process.argv.slice(2), { count: { type: 'string' }, interval: { type: 'string' } }, USAGE);
  if (typeof args === 'number') return args;
  const count = Number(args.count ?? 60);
  const interval = Number(args.interval ?? 1000);
  const dir = mkdtempSync(join(tmpdir(), 'edumon-bench-alert-latency-'));
  const run = `bench-latency-${Date.now().toString(36)}`;
  progress(`npm run bench:alert-latency -- --count ${count} --interval ${interval}; ${cpus().length} CPUs, node ${process.version}; work dir ${dir}`);

  const accepted = new Map<string, number>();
  const catcher = await startMailCatcher({
    onMail: (m) => {
      if (!m.to.includes('wen@jyj.bench.invalid')) return;
      for (const [id] of m.text.matchAll(/bench-adm-\d+/g)) if (!accepted.has(id)) accepted.set(id, m.acceptedAt);
    },
  });
  const now = Date.now();
  const configFile = join(dir, 'edumon.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      // A season covering today (and the week around it); every other setting its default.
      rules: { seasonStart: monthDay(now - 7 * 86_400_000), seasonEnd: monthDay(now + 7 * 86_400_000) },
      notify: {
        smtpUrl: catcher.url,
        muteHolidays: false,
        contacts: {
          '410825': [{ id: 'wen', name: '温县教育局', email: 'wen@jyj.bench.invalid' }],
          '410800': [{ id: 'city', name: '焦作市教育局', email: 'city@jyj.bench.invalid' }],
        },
      },
    }),
  );
  const env = {
    ...process.env,
    EDUMON_CONFIG: configFile,
    EDUMON_WAREHOUSE: join(dir, 'edumon.duckdb'),
    EDUMON_TOPIC_PREFIX: `${run}.`,
    EDUMON_GROUP_ID: `${run}-group`,
    EDUMON_LOG_LEVEL: 'info',
  };
  const config = loadConfig({ env: { EDUMON_TOPIC_PREFIX: `${run}.` } });
  const kafka = createKafka(config, createLogger({ level: 'error' }), '-bench');
  const { admin, producer } = await openProducer(config, kafka);
  const send = async (family: 'registry' | 'admission', events: Record<string, unknown>[]) => {
    await producer.send({
      topic: `${run}.${family}`,
      acks: -1,
      messages: events.map((e) => ({ key: messageKey(e), value: JSON.stringify(e) })),
    });
    return Date.now();
  };

  const service = spawn(process.execPath, [join(ROOT, 'bin', 'edumon.mjs'), 'run'], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let serviceLog = '';
  service.stderr!.setEncoding('utf8').on('data', (d: string) => {
    serviceLog += d;
  });
  try {
    const t0 = Date.now() - 3_600_000;
    await send(
      'registry',
      SCHOOLS.map((school_id, i) => ({
        type: 'school.upserted',
        event_id: `bench-school-${i}`,
        occurred_at: shanghaiIso(t0),
        source: 'bench',
        school_id,
        name: `温县第${i + 1}高级中学`,
        level: 'high_school',
        ownership: 'public',
        region_code: '410825',
        status: 'active',
        licensed: true,
        capacity: 3000,
      })),
    );
    const year = Number(shanghaiIso(now).slice(0, 4));
    await send(
      'admission',
      SCHOOLS.map((school_id, i) => ({
        type: 'admission_plan.published',
        event_id: `bench-plan-${i}`,
        occurred_at: shanghaiIso(t0),
        source: 'bench',
        school_id,
        year,
        plan_quota: 10_000,
        window_opens_at: shanghaiIso(t0),
        window_closes_at: shanghaiIso(now + 30 * 86_400_000),
      })),
    );
    // Let the service start, store the registry and run its first sweeps before the clock starts.
    await waitFor(() => serviceLog.includes('pipeline running'), 60_000, 'edumon run to start');
    await sleep(12_000);

    const published = new Map<string, number>();
    progress(`publishing ${count} cross-region admissions, one every ${interval} ms`);
    for (let i = 0; i < count; i++) {
      const id = `bench-adm-${i}`;
      const at = Date.now();
      const acked = await send('admission', [
        {
          type: 'admission.admitted',
          event_id: id,
          occurred_at: shanghaiIso(at),
          source: 'bench',
          school_id: SCHOOLS[i % SCHOOLS.length],
          student_id: `41082320080101${String(1000 + i)}`,
          year,
          home_region_code: '410823',
          admission_type: 'unified',
        },
      ]);
      published.set(id, acked);
      await sleep(Math.max(0, interval - (Date.now() - at)));
    }
    await waitFor(() => [...published.keys()].every((id) => accepted.has(id)), 120_000, 'every admission mailed').catch((err: Error) => progress(err.message));

    const latencies = [...published].flatMap(([id, t]) => (accepted.has(id) ? [accepted.get(id)! - t] : [])).sort((a, b) => a - b);
    const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)] ?? Number.NaN;
    const result = {
      benchmark: 'alert-latency',
      date: new Date().toISOString(),
      command: `npm run bench:alert-latency -- --count ${count} --interval ${interval}`,
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model.trim(), memGb: Math.round((totalmem() / 2 ** 30) * 100) / 100, node: process.version },
      measured:
        'publish (broker ack, acks=-1) -> SMTP 250 at the local catcher for the first email to the county contact naming the admission’s event_id; edumon run as its own process, default settings, season covering today',
      published: published.size,
      mailed: latencies.length,
      emailsToCounty: catcher.mails.filter((m) => m.to.includes('wen@jyj.bench.invalid')).length,
      p50Ms: q(0.5),
      p95Ms: q(0.95),
      maxMs: latencies.at(-1) ?? Number.NaN,
      latenciesMs: latencies,
    };
    const out = join(ROOT, 'bench', 'results', `alert-latency-${result.date.replace(/[:.]/g, '-')}.json`);
    writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(
      [
        'alert latency — npm run bench:alert-latency',
        `machine: ${result.machine.cpus} CPUs, ${result.machine.memGb} GB, node ${result.machine.node}`,
        `  ${fmt(result.mailed)} of ${fmt(result.published)} violating admissions mailed to the county (${result.emailsToCounty} emails)`,
        `  publish -> SMTP accepted: p50 ${fmt(result.p50Ms)} ms, p95 ${fmt(result.p95Ms)} ms, max ${fmt(result.maxMs)} ms (target p95 < 5,000 ms)`,
        `results: ${out}`,
        '',
      ].join('\n'),
    );
    return result.mailed === result.published ? 0 : 1;
  } finally {
    service.kill('SIGTERM');
    await new Promise((resolve) => service.once('close', resolve));
    await producer.disconnect();
    await admin.deleteTopics({ topics: ['registry', 'admission', 'enrollment', 'funding', 'dlq'].map((f) => `${run}.${f}`) }).catch(() => undefined);
    await admin.disconnect();
    await catcher.stop();
    if (!process.env.EDUMON_BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
    else progress(`kept ${dir}; the service's log:\n${serviceLog.slice(-5000)}`);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

runMain(main);

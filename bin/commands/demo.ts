import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { dueDigestWeek } from '../../alerts/digest/sendDay.ts';
import type { Command } from '../../core/cli.ts';
import type { Config } from '../../core/config.ts';
import { connect, openWarehouse } from '../../core/db.ts';
import { createKafka } from '../../core/kafka.ts';
import { regionName, regions } from '../../core/regions.ts';
import { visibleText } from '../../core/text.ts';
import { tableOf } from '../../domain/eventTables.ts';
import { topicsOf } from '../../domain/topics.ts';
import { ensureBroker } from '../../infra/kafka/ensureBroker.ts';
import { createPseudonymizer, resolvePseudonymKey } from '../../ingest/pseudonymize.ts';
import { type DemoUser, demoUsers } from '../../service/console/demoUsers.ts';
import { roleNames } from '../../service/console/roles.ts';
import { lastMailNumber, startMailCatcher } from '../../service/mailCatcher.ts';
import { startService } from '../../service/run.ts';
import { hasContacts } from '../../service/sweepNotify.ts';
import { defaultOptions } from '../../simulator/options.ts';
import { publishFiles } from '../../simulator/publishOut.ts';
import { simulate } from '../../simulator/simulate.ts';

export const demoCmd: Command = {
  name: 'demo',
  summary: 'The main job end to end: local Kafka, a simulated Jiaozuo year ingested, its alerts mailed, a summary',
  usage: 'demo [--seed N] [--scale S] [--out DIR]',
  description:
    'Starts the local Kafka broker if none answers, simulates a year of Jiaozuo events (edumon simulate),\n' +
    'publishes them, runs the pipeline until every event is stored, runs every rule and mails the alerts\n' +
    "and the weekly digest of the year's last week to a local SMTP catcher (one contact per region and the\n" +
    'city, unless notify.contacts names some), and prints what the warehouse holds, the open alerts by rule\n' +
    'and region, and where to read the emails.\n' +
    "The officials' web console runs while it does: its address is printed, with one user per role (wen for\n" +
    '温县, city, data, analyst, admin) and their generated passwords, shown once; a later run finds them and\n' +
    'prints no password (`edumon users passwd LOGIN` sets a new one). After the demo, `edumon run` serves it.\n' +
    'Run again, it publishes the same year again: the warehouse stores nothing twice and mails no alert\n' +
    'twice, and it says so, and where the emails of the earlier run are (kept beside the new ones). For a\n' +
    'fresh start, remove the warehouse and the --out folder, and give the topics a new prefix\n' +
    '(EDUMON_TOPIC_PREFIX).',
  options: {
    seed: { type: 'string', value: 'N', help: 'simulation seed (default 1)' },
    scale: { type: 'string', value: 'S', help: 'simulation scale (default 1: Jiaozuo, about a million events)' },
    out: { type: 'string', value: 'DIR', help: 'where the simulated files go (default: data/demo beside the warehouse)' },
  },
  async run(ctx) {
    const config = ctx.config();
    const log = ctx.log();
    const t0 = Date.now();
    const secs = () => `${((Date.now() - t0) / 1000).toFixed(0)} s`;
    const broker = await ensureBroker(config.kafka.brokers);
    ctx.out(`kafka: ${broker === 'started' ? 'started the local broker' : 'broker running'} at ${config.kafka.brokers.join(',')}`);
    const out = (ctx.values.out as string | undefined) ?? join(config.warehouse, '..', 'demo');
    const options = { ...defaultOptions, seed: Number(ctx.values.seed ?? 1), scale: Number(ctx.values.scale ?? 1) };
    const sim = simulate({ options, outDir: out, pseudonymize: createPseudonymizer(resolvePseudonymKey(config)), admissionTopic: topicsOf(config).admission });
    const files = Object.values(sim.events).reduce((a, b) => a + b, 0);
    ctx.out(`simulated ${files} events (${options.from}..${options.to}, seed ${options.seed}, scale ${options.scale}) into ${out} [${secs()}]`);
    const digestWeek = dueDigestWeek(Date.parse(`${options.to}T23:59:59+08:00`)).label;
    const sent = await publishFiles({ dir: out, config, kafka: createKafka(config, log, '-demo'), log });
    ctx.out(`published ${sent} messages [${secs()}]`);
    // A local mail catcher, and a contact per region, the city's and a data team, unless configured.
    // An earlier run's emails stay; this run's are numbered after them.
    const mailDir = join(out, 'mail');
    const earlierMails = existsSync(mailDir) ? lastMailNumber(mailDir) : 0;
    const catcher = await startMailCatcher({ dir: mailDir });
    const notify = { ...config.notify, ...(hasContacts(config.notify) ? {} : demoContacts()), smtpUrl: catcher.url, muteHolidays: false, muteWindows: [] };
    ctx.out(`mail: a local SMTP catcher at ${catcher.url} keeps every email in ${mailDir}`);
    const service = await startService({ ...config, notify }, log);
    // The console's users, made through the service (the warehouse is its file now), before ingestion catches up.
    let users: DemoUser[] = [];
    try {
      users = await demoUsers(service.users);
    } catch (err) {
      await service.stop();
      await catcher.stop();
      throw err;
    }
    for (const line of consoleLines(service.consoleUrl, users)) ctx.out(line);
    const idle = service.waitUntilIdle();
    idle.catch(() => undefined); // rejects only once the service stopped, which `failure` reports
    let ruleRuns = 0;
    try {
      await Promise.race([idle, service.failure]);
      const { stored, duplicates, rejected } = service.stats;
      ctx.out(`pipeline caught up: ${stored} stored, ${duplicates} duplicates skipped, ${rejected} rejected [${secs()}]`);
      if (stored === 0 && duplicates > 0) ctx.out(`  the warehouse already held every one of them (an earlier run of the demo): each event is stored once`);
      // Every rule now (each judged as far as its feeds are complete), its alerts mailed.
      const ran = await service.runRules({ at: new Date().toISOString() });
      ruleRuns = ran.runs.length;
      // The weekly digest of the simulated year's last full week, to every contact (`edumon digest --send --week W`).
      const sentDigest = await service.digest({ week: digestWeek, send: true });
      if (sentDigest.kind === 'sent') ctx.out(`weekly digest of ${digestWeek}: ${sentDigest.written} written to the outbox [${secs()}]`);
      await service.mailIdle();
    } finally {
      await service.stop();
      await catcher.stop();
    }

    const instance = await openWarehouse(config.warehouse, { readOnly: true });
    const conn = await connect(instance);
    const count = async (table: string) => Number((await conn.runAndReadAll(`select count(*) from ${table}`)).getRows()[0]![0]);
    ctx.out('');
    ctx.out(`warehouse ${config.warehouse}:`);
    const expected = sim.byType;
    let allMatch = true;
    for (const [type, table] of Object.entries(tableOf)) {
      const n = await count(table);
      const want = expected[type] ?? 0;
      allMatch &&= n === want;
      ctx.out(`  ${table.padEnd(24)} ${String(n).padStart(9)}${n === want ? '' : `   (the simulated files hold ${want})`}`);
    }
    ctx.out(`  ${'rejections'.padEnd(24)} ${String(await count('rejections')).padStart(9)}`);
    ctx.out(allMatch ? 'every simulated event is stored exactly once.' : 'the warehouse also holds other data (an earlier run with other settings?).');
    ctx.out(`truth: ${sim.violations} violations the rules should find, listed in ${join(out, 'truth.json')}`);
    ctx.out('');
    ctx.out(`alerts (${ruleRuns} rules run), open by rule and region:`);
    const byRule = await conn.runAndReadAll(
      `select rule, coalesce(region_code, '-') as region, count(*) as n from alerts where status = 'open' group by all order by rule, region`,
    );
    for (const [rule, region, n] of byRule.getRows())
      ctx.out(`  ${String(rule).padEnd(24)} ${String(region).padEnd(7)} ${String(n).padStart(6)}  ${regionLabel(String(region))}`);
    const sentBy = await conn.runAndReadAll(`select contact_id, count(*) from outbox where state = 'sent' group by all order by 1`);
    const perContact = sentBy
      .getRows()
      .map(([c, n]) => `${c} ${n}`)
      .join(', ');
    ctx.out('');
    ctx.out(`emails: ${catcher.mails.length} delivered to the local catcher by this run; sent in all, per contact: ${perContact}`);
    if (!catcher.mails.length && earlierMails)
      ctx.out(`  nothing new to mail: every alert and this week's digest went out with an earlier run, whose ${earlierMails} emails are kept`);
    ctx.out(`  read them in ${mailDir}: each as NNNN-<recipient>.eml (any mail client) and .html (a browser)`);
    for (const m of await examples(mailDir)) ctx.out(visibleText(`  e.g. ${m.file}: ${m.subject}`));
    conn.closeSync();
    instance.closeSync();
    ctx.out('');
    ctx.out('query it:');
    ctx.out(`  npx edumon query "select region_code, count(*) from current_schools group by all order by 1"`);
    ctx.out(`  npx edumon query "select period, sum(amount_yuan) from wage_payments group by all order by 1" --format csv`);
    ctx.out('');
    ctx.out(
      `the console (控制台): \`npx edumon run\` serves it${config.console.enabled && config.console.port ? ` at http://${config.console.host}:${config.console.port}` : ''}; sign in as ${users.map((u) => u.id).join(', ')} (passwords as a demo run printed them, or \`npx edumon users passwd LOGIN\`)`,
    );
  },
};

/**
 * One of each kind for 武陟县 (410823), the newest in the mail folder (this run's or an earlier
 * one's): an alert email and the weekly digest, as the .html to open and the subject.
 */
async function examples(mailDir: string): Promise<{ file: string; subject: string }[]> {
  const files = readdirSync(mailDir)
    .filter((f) => /^\d{4,}-410823.*\.eml$/.test(f))
    .sort()
    .reverse();
  const found = new Map<'alert' | 'digest', { file: string; subject: string }>();
  for (const f of files) {
    if (found.size === 2) break;
    const subject = (await simpleParser(readFileSync(join(mailDir, f)))).subject ?? '';
    const kind = subject.startsWith('【周报】') ? 'digest' : 'alert';
    if (!found.has(kind)) found.set(kind, { file: join(mailDir, f.replace(/\.eml$/, '.html')), subject });
  }
  return (['alert', 'digest'] as const).flatMap((k) => (found.has(k) ? [found.get(k)!] : []));
}

/** The demo's contacts: each region's education bureau (教育局) and the city's, and a data team, at a demo domain. */
function demoContacts(): Pick<Config['notify'], 'contacts' | 'dataTeam'> {
  const contact = (code: string) => ({
    id: `jyj-${code}`,
    name: `${regionName(code)}教育局`,
    email: `${code}@jyj.demo.invalid`,
    minSeverity: 'info' as const,
    language: 'zh-CN' as const,
  });
  return {
    contacts: Object.fromEntries(regions.map((r) => [r.code, [contact(r.code)]])),
    dataTeam: [{ id: 'data-team', name: '数据组', email: `data@jyj.demo.invalid`, minSeverity: 'info', language: 'zh-CN' }],
  };
}

/**
 * What the demo says of the console once it runs: its address (or that it is off) and each demo
 * user with its role, and its password when made now; a user found from an earlier run has none to show.
 */
function consoleLines(url: string | undefined, users: readonly DemoUser[]): string[] {
  const lines = [
    url
      ? `console 控制台: ${url} (up while the demo runs; sign in as one of these)`
      : 'console 控制台: off (console.enabled false); its users are made for when it runs',
    `  ${'login'.padEnd(8)} ${'role'.padEnd(8)} password`,
  ];
  for (const u of users) {
    const who = `${roleNames[u.role as keyof typeof roleNames]?.zh ?? u.role}${u.regions.length ? ` ${u.regions.map((r) => regionName(r)).join('、')}` : ''}`;
    lines.push(`  ${u.id.padEnd(8)} ${u.role.padEnd(8)} ${(u.password ?? '(not shown)').padEnd(16)}  ${visibleText(who)}`);
  }
  if (users.some((u) => u.password)) lines.push('  each password is shown this once / 口令只显示这一次');
  if (users.some((u) => !u.password))
    lines.push('  (not shown): made by an earlier run, which printed its password; `npx edumon users passwd LOGIN` sets a new one');
  return lines;
}

/** A region code's Chinese name, or the code itself ('-' for alerts without a region). */
const regionLabel = (code: string) => (code === '-' ? '数据质量' : regionName(code));

/**
 * `node --import tsx tools/consoleScreenshots.ts [--out DIR]`: the pictures of the officials'
 * console in the docs (default folder docs/img): console-board.png (the city's alerts board),
 * console-alert.png (an alert's page) and console-indicators.png (温县's indicators of the last
 * week ended), each at 1366x768, the top of the page as it first shows.
 *
 * The world: a twentieth of Jiaozuo's simulated 2025 (tools/storeSimulated.ts, the simulator's
 * seed 1) stored in a scratch warehouse, every rule applied as of 2025-09-05 10:00 (the first Friday
 * of the school year), a few alerts acknowledged with their outcomes and one rule silenced for a
 * school, as the console would have them that afternoon. Then the real `edumon run` serves its
 * console on that warehouse, its clock at the Monday after, 16:00 (the test failpoint
 * failpoints.clock, so the board's waiting times and the indicators' last week read as on that
 * day; EDUMON_ENV=test for this reason only), and headless Chromium signs in as the city's
 * official and takes the pictures. Chromium shows date fields in its own language: Chinese only
 * where its Chinese locale is installed (Debian's chromium-l10n). Needs the Kafka broker at 127.0.0.1:9092 (`npm run kafka:up`: the service consumes,
 * empty topics of their own here), /usr/bin/chromium and CJK fonts (apt-get install -y chromium
 * fonts-noto-cjk) or EDUMON_CHROMIUM. About a minute. Exit 1 if a page asked another origin for
 * anything or scrolls sideways; 2 on a usage error.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { ackAlert, insertSilence } from '../alerts/alertStore.ts';
import { applyRules } from '../alerts/applyRules.ts';
import { noWatermarks } from '../alerts/feedWatermarks.ts';
import { loadRules } from '../alerts/rules.ts';
import { loadConfig } from '../core/config.ts';
import { connect, openWarehouse } from '../core/db.ts';
import { EdumonError } from '../core/errors.ts';
import { readServiceFile } from '../service/client.ts';
import { usersRequest } from '../service/console/userStore.ts';
import { runIfMain } from './runIfMain.ts';
import { storeSimulated } from './storeSimulated.ts';

const ROOT = join(import.meta.dirname, '..');
/**
 * When the rules ran (the first Friday of the school year), and the moment the pictures show, the
 * service's clock (the Monday after: its last week ended, 2025-W36, is the one whose indicators
 * moved most, the children and students of the new school year).
 */
export const RULES_MOMENT = '2025-09-05T10:00:00+08:00';
export const PICTURE_MOMENT = '2025-09-08T16:00:00+08:00';
const VIEWPORT = { width: 1366, height: 768 };
const SCALE = 0.05;
const KEY = 'edumon-console-picture-key-not-a-secret';
const PASSWORD = 'console-picture-password';

const HELP = `usage: node --import tsx tools/consoleScreenshots.ts [--out DIR]

Simulates a twentieth of Jiaozuo's 2025 into a scratch warehouse, applies every rule as of
${RULES_MOMENT}, serves the console as of ${PICTURE_MOMENT} with \`edumon run\`
and writes, at ${VIEWPORT.width}x${VIEWPORT.height}: DIR/console-board.png (the city's alerts board),
DIR/console-alert.png (an alert's page) and DIR/console-indicators.png (温县's indicators of
the last week ended); DIR is docs/img by default. Needs the Kafka broker (npm run kafka:up),
/usr/bin/chromium and CJK fonts (apt-get install -y chromium fonts-noto-cjk) or EDUMON_CHROMIUM.`;

/** The folder `--out DIR` names (docs/img by default), or the exit status after --help (0) or a bad argument (2). */
function outDir(argv: readonly string[]): string | number {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (argv.length === 0) return join(ROOT, 'docs', 'img');
  if (argv.length === 2 && argv[0] === '--out' && argv[1]) return resolve(argv[1]);
  process.stderr.write(`${HELP}\n`);
  return 2;
}

/**
 * The scratch warehouse's world: the simulated year, every rule applied as of RULES_MOMENT, the
 * city's official, three alerts acknowledged with their outcomes and one school's alerts of a rule
 * silenced. Returns the alert whose page is pictured (an open ADM-OVER-QUOTA).
 */
async function buildWorld(dir: string): Promise<string> {
  const instance = await openWarehouse(join(dir, 'edumon.duckdb'));
  const conn = await connect(instance);
  try {
    await storeSimulated(conn, join(dir, 'sim'), { scale: SCALE, pseudonymKey: KEY });
    const config = loadConfig({ env: {} });
    const applied = await applyRules(conn, loadRules(), { config, asOf: RULES_MOMENT, watermarks: noWatermarks() });
    const failed = applied.runs.filter((r) => r.error);
    if (failed.length) throw new EdumonError(`rules failed: ${failed.map((r) => `${r.rule}: ${r.error}`).join('; ')}`);
    await usersRequest(conn, { action: 'add', id: 'city', name: '焦作市教育局 王科长', role: 'city', password: PASSWORD });
    const open = (
      await conn.runAndReadAll(
        `select id, rule, school_id from alerts where status = 'open' and school_id is not null and region_code is not null order by rule, id`,
      )
    ).getRowObjectsJson() as Array<{ id: string; rule: string; school_id: string }>;
    const first = (rule: string, skip = 0) => open.filter((a) => a.rule === rule)[skip];
    // Acknowledged, each with what the official found; one rule silenced for one school; the page pictured left open.
    const acks = [
      [first('ADM-CROSS-REGION'), 'confirmed', '已核实，责令学校退回该生'],
      [first('ADM-DUPLICATE'), 'fixed', '已撤销重复录取'],
      [first('ADM-OUT-OF-WINDOW'), 'data_wrong', '录取时间填报有误，已更正'],
    ] as const;
    const silenced = first('WAGE-MISSING');
    const pictured = first('ADM-OVER-QUOTA');
    if (!pictured || !silenced || acks.some(([a]) => !a)) throw new EdumonError(`the simulated year opened too few alerts: ${open.length}`);
    for (const [a, outcome, note] of acks) await ackAlert(conn, a!.id, { outcome, note, by: 'city', at: '2025-09-05T15:30:00+08:00' });
    await insertSilence(conn, {
      id: 'picture1',
      rule: silenced.rule,
      school_id: silenced.school_id,
      region_code: null,
      until: '2025-09-30T23:59:59+08:00',
      reason: '学校已提交说明材料，核实期间暂停提醒（city）',
      created_at: '2025-09-08T09:00:00+08:00',
    });
    await conn.run('checkpoint');
    return pictured.id;
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** `edumon run` on `warehouse` with `env`; resolves once its console listens, with a way to stop it. */
async function spawnService(warehouse: string, env: Record<string, string>): Promise<{ stop(): Promise<void> }> {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'edumon.mjs'), 'run'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<void>((r) => child.on('close', () => r()));
  const deadline = Date.now() + 120_000;
  while (!readServiceFile(warehouse)?.console) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new EdumonError(`edumon run did not start its console:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Throws unless the page fits its width. */
async function fits(page: Page, what: string): Promise<void> {
  const [scrollWidth, innerWidth] = (await page.evaluate('[document.documentElement.scrollWidth, window.innerWidth]')) as [number, number];
  if (scrollWidth > innerWidth + 1) throw new EdumonError(`${what} scrolls sideways: ${scrollWidth} px in a ${innerWidth} px window`);
}

async function main(argv: string[]): Promise<number> {
  const out = outDir(argv);
  if (typeof out === 'number') return out;
  mkdirSync(out, { recursive: true });
  const scratch = mkdtempSync(join(tmpdir(), 'edumon-console-pictures-'));
  try {
    process.stdout.write(`simulating a twentieth of Jiaozuo's year into ${scratch} and applying the rules as of ${RULES_MOMENT}…\n`);
    const alertId = await buildWorld(scratch);
    const warehouse = join(scratch, 'edumon.duckdb');
    const service = await spawnService(warehouse, {
      EDUMON_ENV: 'test',
      EDUMON_WAREHOUSE: warehouse,
      EDUMON_PSEUDONYM_KEY: KEY,
      EDUMON_TOPIC_PREFIX: `pictures-${Date.now().toString(36)}.`,
      EDUMON_GROUP_ID: `pictures-${Date.now().toString(36)}`,
      EDUMON_RULES_SCHEDULE: 'off',
      EDUMON_CONSOLE_PORT: '0',
      EDUMON_FAILPOINT_CLOCK: `at=${PICTURE_MOMENT}`,
    });
    const executablePath = loadConfig().render.chromium;
    const browser = await chromium.launch({ executablePath, args: ['--headless', '--no-sandbox', '--lang=zh-CN'] });
    try {
      const url = readServiceFile(warehouse)?.console;
      if (!url) throw new EdumonError('the service names no console');
      const context = await browser.newContext({ baseURL: url, viewport: VIEWPORT, deviceScaleFactor: 1, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
      const elsewhere: string[] = [];
      context.on('request', (r) => {
        if (!r.url().startsWith('data:') && new URL(r.url()).origin !== new URL(url).origin) elsewhere.push(r.url());
      });
      const page = await context.newPage();
      await page.goto('/login');
      await page.fill('#login', 'city');
      await page.fill('#password', PASSWORD);
      await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('form.card button[type=submit]')]);
      const shots: Array<[string, string]> = [
        ['/', 'console-board.png'],
        [`/alerts/${encodeURIComponent(alertId)}`, 'console-alert.png'],
        [`/indicators?region=410825`, 'console-indicators.png'],
      ];
      for (const [path, file] of shots) {
        const res = await page.goto(path);
        if (res?.status() !== 200) throw new EdumonError(`${path} answered ${res?.status()}`);
        await fits(page, path);
        await page.screenshot({ path: join(out, file) });
        process.stdout.write(`wrote ${join(out, file)} (${path})\n`);
      }
      if (elsewhere.length) throw new EdumonError(`the console asked another origin: ${elsewhere.join(', ')}`);
    } finally {
      await browser.close();
      await service.stop();
    }
    return 0;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, 'consoleScreenshots', main);

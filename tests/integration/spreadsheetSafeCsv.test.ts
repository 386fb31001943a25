/**
 * Every CSV edumon writes is safe to open in a spreadsheet and in one dialect (issue 21, input 7):
 * school names built to run as formulas (=HYPERLINK, +cmd, -2+3, @SUM, a leading tab or CR) are
 * stored in a real DuckDB file and read back through every path that writes CSV: `edumon query
 * --format csv` to stdout and with `--out FILE`, on a stopped warehouse and through the running
 * service, `POST /query {"format":"csv"}` streamed, and the alert email's `alerts.csv` delivered to a
 * real in-process SMTP server. Each CSV is parsed by a CSV library (@fast-csv/parse) and every cell
 * checked: none a spreadsheet would run, Chinese intact, negative numbers of numeric columns kept as
 * numbers, the same BOM and CRLF everywhere; the five query paths write the same bytes.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseString } from '@fast-csv/parse';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ruleById } from '../../alerts/rules.ts';
import { loadConfig } from '../../core/config.ts';
import { connect, openWarehouse } from '../../core/db.ts';
import { sqlString } from '../../core/lockDown.ts';
import { createLogger } from '../../core/log.ts';
import { migrate } from '../../pipeline/migrate.ts';
import { readServiceFile } from '../../service/client.ts';
import { startMailSender } from '../../service/mailSender.ts';
import { type Running, runEdumon, spawnEdumon, waitFor } from '../helpers/cli.ts';
import { RuleWorld } from '../helpers/ruleWorld.ts';
import { startSmtpCatcher } from '../helpers/smtpCatcher.ts';
import { sweepWithNotices } from '../helpers/sweepWithNotices.ts';
import { testEnv } from '../helpers/testEnv.ts';

/** School names a spreadsheet would run as formulas if written as they are (OWASP CSV Injection; metabase#17335). */
const HOSTILE = ['=HYPERLINK("http://x","y")', "+1+cmd|' /C calc'!A0", '-2+3', '@SUM(A1)', '\t=1+1', '\r=1+1'];
const CHINESE = '修武县城关镇阳光幼儿园';
const NAMES = [...HOSTILE, CHINESE];

/** A cell a spreadsheet would evaluate: one starting with = + - @ tab or CR, unless it is a plain number (-150 is the number -150). */
const evaluates = (cell: string) => /^[=+\-@\t\r]/.test(cell) && !/^-\d+(?:\.\d+)?$/.test(cell);

/** The school names, a spare capacity that is negative (INTEGER, HUGEINT, DECIMAL), and a text that looks like a number. */
const SQL = `select school_id, name, capacity - 150 as spare, sum(capacity - 150) over (order by school_id) as spare_running,
  ((capacity - 150) / 4)::decimal(10, 2) as spare_per_class, '-7' as text_minus
  from school_versions order by school_id`;

const t = testEnv('spreadsheet-csv');
const out = join(t.dir, 'out');

/** The rows of a CSV as a CSV library reads them, after checking the dialect: a BOM, every line ending in CRLF, no lone CR or LF. */
async function readCsv(bytes: Buffer): Promise<string[][]> {
  expect([...bytes.subarray(0, 3)], 'a UTF-8 byte order mark').toEqual([0xef, 0xbb, 0xbf]);
  const text = bytes.toString('utf8').slice(1);
  expect(text.endsWith('\r\n'), 'the last line ends in CRLF').toBe(true);
  expect(text, 'no LF without CR, no CR without LF').not.toMatch(/\r(?!\n)|(?<!\r)\n/);
  return new Promise((resolve, reject) => {
    const rows: string[][] = [];
    parseString<string[], string[]>(text, { headers: false, strictColumnHandling: true })
      .on('data', (row: string[]) => rows.push(row))
      .on('error', reject)
      .on('end', () => resolve(rows));
  });
}

/** The answer to SQL: no cell a spreadsheet would run, every name shown as text, negative numbers as numbers, Chinese intact. */
async function expectSafeAnswer(bytes: Buffer, where: string): Promise<void> {
  const rows = await readCsv(bytes);
  expect(rows[0], where).toEqual(['school_id', 'name', 'spare', 'spare_running', 'spare_per_class', 'text_minus']);
  for (const row of rows) for (const cell of row) expect(evaluates(cell), `${where}: cell ${JSON.stringify(cell)}`).toBe(false);
  expect(
    rows.slice(1).map((r) => r[1]),
    where,
  ).toEqual(['\'=HYPERLINK("http://x","y")', "'+1+cmd|' /C calc'!A0", "'-2+3", "'@SUM(A1)", '\\u0009=1+1', '\\u000d=1+1', CHINESE]);
  expect(rows[1]!.slice(2), where).toEqual(['-50', '-50', '-12.50', "'-7"]);
  expect(rows[7]!.slice(2), where).toEqual(['-50', '-350', '-12.50', "'-7"]);
}

async function build(file: string): Promise<void> {
  const instance = await openWarehouse(file);
  const conn = await connect(instance);
  try {
    await migrate(conn);
    const row = (n: number, name: string) =>
      `('csv-${n}', '2025-07-01T08:00:00+08:00', 'test', '410821000${n}', ${sqlString(name)}, 'kindergarten', 'public', '410821', 'open', true, 100, '2025-07-01T08:00:05+08:00')`;
    await conn.run(
      `insert into school_versions (event_id, occurred_at, source, school_id, name, level, ownership, region_code, status, licensed, capacity, ingested_at)
       values ${NAMES.map((name, i) => row(i + 1, name)).join(', ')}`,
    );
    await conn.run('checkpoint');
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** SQL as `edumon query --format csv`, to stdout and with --out; returns both answers' bytes. */
async function queryBothWays(name: string): Promise<{ stdout: Buffer; file: Buffer }> {
  const stdout = await runEdumon(['query', SQL, '--format', 'csv'], t.env);
  expect(stdout.code, stdout.output).toBe(0);
  const file = join(out, `${name}.csv`);
  const written = await runEdumon(['query', SQL, '--format', 'csv', '--out', file], t.env);
  expect(written.code, written.output).toBe(0);
  return { stdout: Buffer.from(stdout.stdout, 'utf8'), file: readFileSync(file) };
}

let service: Running | undefined;
/** The bytes of every query path, to compare: one dialect, the same bytes. */
const answers = new Map<string, Buffer>();

beforeAll(async () => {
  mkdirSync(out, { recursive: true });
  await build(t.config.warehouse);
}, 60_000);

afterAll(async () => {
  if (service && service.child.exitCode === null) {
    service.child.kill('SIGTERM');
    await service.exited;
  }
  rmSync(t.dir, { recursive: true, force: true });
});

describe('edumon query --format csv and POST /query: no cell a spreadsheet would run, one dialect', () => {
  it('on a stopped warehouse, to stdout and to --out FILE', async () => {
    const { stdout, file } = await queryBothWays('stopped');
    await expectSafeAnswer(stdout, 'stdout, stopped warehouse');
    await expectSafeAnswer(file, '--out, stopped warehouse');
    answers.set('stdout, stopped', stdout).set('--out, stopped', file);
  });

  it('through the running service: stdout, --out FILE and POST /query {"format":"csv"} streamed', async () => {
    service = spawnEdumon(['run'], t.env);
    await waitFor(() => service!.output().includes('pipeline running'), 120_000, 'the service to start');
    const { stdout, file } = await queryBothWays('service');
    await expectSafeAnswer(stdout, 'stdout, through the service');
    await expectSafeAnswer(file, '--out, through the service');
    const info = readServiceFile(t.config.warehouse)!;
    const res = await fetch(`http://127.0.0.1:${info.port}/query`, {
      method: 'POST',
      headers: { authorization: `Bearer ${info.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sql: SQL, format: 'csv' }),
    });
    expect(res.status).toBe(200);
    const api = Buffer.from(await res.arrayBuffer());
    await expectSafeAnswer(api, 'POST /query');
    answers.set('stdout, service', stdout).set('--out, service', file).set('POST /query', api);
  }, 180_000);

  it('writes the same bytes on all five paths', () => {
    const first = [...answers.values()][0];
    expect(answers.size).toBe(5);
    for (const [path, bytes] of answers) expect(bytes.equals(first!), `${path} differs`).toBe(true);
  });
});

describe("the alert email's alerts.csv", () => {
  it('carries the same names as text, in the same dialect, delivered over SMTP', async () => {
    const catcher = await startSmtpCatcher();
    const dir = join(t.dir, 'mail');
    mkdirSync(dir);
    const config = loadConfig({
      env: { EDUMON_ENV: 'test' },
      overrides: {
        'notify.smtpUrl': catcher.url,
        // The email's clock is months behind the wall clock: never give up on it for age.
        'notify.giveUpAfterHours': 1e6,
        // One alert in the body: the others go to the attachment.
        'notify.maxAlertsInBody': 1,
        'notify.contacts': { '410825': [{ id: 'wen', name: '温县教育局', email: 'wen@jyj.example.cn' }] },
      },
    });
    const instance = await openWarehouse(join(dir, 'edumon.duckdb'));
    const conn = await connect(instance);
    const senderConn = await connect(instance);
    await migrate(conn);
    const sender = startMailSender({ conn: senderConn, config, log: createLogger({ level: 'error' }) });
    try {
      // Each hostile school admits a student from 武陟县: ADM-CROSS-REGION opens one alert per school.
      const world = new RuleWorld();
      NAMES.forEach((name, i) => {
        const school_id = `344125000${i + 1}`;
        world.school(school_id, { name, region_code: '410825' }).add('admission.admitted', '2025-07-12T10:00:00+08:00', {
          school_id,
          student_id: `41082320080101123${i}`,
          year: 2025,
          home_region_code: '410823',
          admission_type: 'unified',
        });
      });
      await world.store(conn);
      await sweepWithNotices(conn, config, [ruleById('ADM-CROSS-REGION')], '2025-07-12T11:00:00+08:00');
      sender.wake();
      await waitFor(() => catcher.accepted.length > 0, 60_000, 'the 温县 email');
      const mail = await simpleParser(catcher.accepted[0]!.raw);
      const attachment = mail.attachments.find((a) => a.filename === 'alerts.csv');
      expect(attachment, 'alerts.csv attached').toBeDefined();
      const rows = await readCsv(attachment!.content);
      for (const row of rows) for (const cell of row) expect(evaluates(cell), `alerts.csv: cell ${JSON.stringify(cell)}`).toBe(false);
      const names = rows.slice(1).map((r) => r[rows[0]!.indexOf('学校名称')]);
      expect(new Set(names)).toEqual(
        new Set(['\'=HYPERLINK("http://x","y")', "'+1+cmd|' /C calc'!A0", "'-2+3", "'@SUM(A1)", '\\u0009=1+1', '\\u000d=1+1', CHINESE]),
      );
    } finally {
      await sender.stop();
      await catcher.stop();
      senderConn.closeSync();
      conn.closeSync();
      instance.closeSync();
    }
  }, 120_000);
});

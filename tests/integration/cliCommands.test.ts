/**
 * The `edumon` command line as a user meets it: help and usage errors, a build never run stale,
 * what a command loads, `ingest` of JSON Lines and CSV files, `query` (read-only, on a stopped
 * warehouse or through the running service, times in Asia/Shanghai), `run` stopping cleanly on
 * SIGTERM, and refusing to start in production without a pseudonym key. Real processes, a real
 * broker and real DuckDB files.
 */
import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContractEvent } from '../../domain/contract.ts';
import { eventTables } from '../../domain/eventTables.ts';
import { serviceFileOf } from '../../service/client.ts';
import { validEvents } from '../fixtures/events.ts';
import { csvLines, packagesLoadedBy, type Running, runEdumon, spawnEdumon, waitFor } from '../helpers/cli.ts';
import { buildReference } from '../helpers/reference.ts';
import { TEST_KEY, testEnv } from '../helpers/testEnv.ts';

const COMMANDS = ['run', 'ingest', 'query', 'migrate'];
/** What a command that needs none of them must not load: each costs start-up time and memory. */
const HEAVY = ['@duckdb/node-api', 'kafkajs', 'echarts', 'exceljs', '@resvg/resvg-js', 'nodemailer'];
const ROOT = join(import.meta.dirname, '..', '..');
const TABLES = eventTables;

/** One row: the number of rows of every event table, plus rejections. */
const COUNTS_SQL = `select ${[...TABLES, 'rejections'].map((tb) => `(select count(*) from ${tb}) as ${tb}`).join(', ')}`;

/** Runs `edumon query SQL -f json` and returns its rows. */
async function queryJson(env: Record<string, string>, sql: string): Promise<Record<string, unknown>[]> {
  const r = await runEdumon(['query', sql, '-f', 'json'], env);
  expect(r.code, r.output).toBe(0);
  return r.stdout.trim() === ''
    ? []
    : r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function tableCounts(env: Record<string, string>): Promise<Record<string, number>> {
  const [row] = await queryJson(env, COUNTS_SQL);
  return Object.fromEntries(Object.entries(row!).map(([k, v]) => [k, Number(v)]));
}

/** Raw personal identifiers (18-digit ID numbers, payroll numbers) that appear in some text. */
const idsIn = (text: string, ids: Iterable<string>) => [...ids].filter((id) => text.includes(id));

describe('help and usage errors', () => {
  const t = testEnv('cli-help');

  it('`edumon --help` lists every command and exits 0', async () => {
    const r = await runEdumon(['--help'], t.env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: edumon <command>/);
    for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${c}\\s+\\S`, 'm'));
  });

  it.each(COMMANDS)('`edumon %s --help` prints its usage and options and exits 0', async (cmd) => {
    const r = await runEdumon([cmd, '--help'], t.env);
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^usage: edumon ${cmd}\\b`));
    expect(r.stdout).toContain('options:');
    expect(r.stdout).toContain('--help');
    expect(r.stdout).toContain('--warehouse PATH');
  });

  it('--help works even when the configuration is unusable', async () => {
    const r = await runEdumon(['run', '--help'], { ...t.env, EDUMON_ENV: 'production', EDUMON_PSEUDONYM_KEY: '' });
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toMatch(/^usage: edumon run/);
  });

  it('an unknown command exits 2 and names it', async () => {
    const r = await runEdumon(['frobnicate'], t.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
    expect(r.stderr).toContain('usage: edumon <command>');
  });

  it.each(COMMANDS)('an unknown option of `edumon %s` exits 2 and names it', async (cmd) => {
    const r = await runEdumon([cmd, '--no-such-flag'], t.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--no-such-flag');
    expect(r.stderr).toContain(`usage: edumon ${cmd}`);
  });

  it('`edumon --help` loads no npm package, `edumon rules list` none of DuckDB, kafkajs, ECharts, exceljs, nodemailer', async () => {
    expect(await packagesLoadedBy(['--help'], t.env)).toEqual([]);
    const rules = await packagesLoadedBy(['rules', 'list'], t.env);
    expect(rules.filter((p) => HEAVY.includes(p))).toEqual([]);
  });

  it('a source changed since the build is rebuilt before the command runs: a stale build never runs', async () => {
    const current = () => (JSON.parse(readFileSync(join(ROOT, 'build', 'current.json'), 'utf8')) as { dir: string }).dir;
    const before = current();
    const source = join(ROOT, 'bin', 'commandTable.ts');
    utimesSync(source, new Date(), new Date());
    const r = await runEdumon(['--help'], t.env);
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toMatch(/^usage: edumon <command>/);
    expect(current()).not.toBe(before);
    expect(existsSync(join(ROOT, 'build', current(), 'edumon.js'))).toBe(true);
  });
});

describe('edumon ingest: JSON Lines and CSV files of contract events, then edumon run --until-idle', () => {
  const t = testEnv('cli-ingest');
  // One valid event of every type, in JSON Lines.
  const jsonValid = validEvents(12, 21);
  const rawStudent = (n: number) => `41082120090101${String(n).padStart(4, '0')}`;
  const jsonl = join(t.dir, 'events.jsonl');
  const jsonLines: Array<{ text: string; bad?: RegExp }> = [
    ...jsonValid.slice(0, 6).map((e) => ({ text: JSON.stringify(e) })),
    {
      text: JSON.stringify({
        event_id: 'bad-year',
        type: 'admission.admitted',
        occurred_at: '2025-07-02T09:13:00+08:00',
        school_id: '3441080201',
        student_id: rawStudent(1),
        year: 'twenty',
        home_region_code: '410802',
        admission_type: 'unified',
      }),
      bad: /^year: /,
    },
    {
      text: JSON.stringify({
        event_id: 'bad-missing',
        type: 'enrollment.enrolled',
        occurred_at: '2025-09-01T08:00:00+08:00',
        student_id: rawStudent(2),
        year: 2025,
        level: 'high_school',
        grade: 1,
        class_id: 'C1',
        home_region_code: '410802',
      }),
      bad: /^school_id: required field is missing/,
    },
    // A type field that holds a personal identifier: it must not be echoed back.
    { text: JSON.stringify({ event_id: 'bad-type', type: rawStudent(3), occurred_at: '2025-07-02T09:13:00+08:00' }), bad: /^type: unknown event type/ },
    { text: `{"event_id": "bad-json", "type": "admission.admitted", "student_id": "${rawStudent(4)}"`, bad: /^not valid JSON/ },
    { text: '' },
    ...jsonValid.slice(6).map((e) => ({ text: JSON.stringify(e) })),
  ];

  // CSV, one type per file given with --type: every record valid.
  const wageCsv = join(t.dir, 'wages.csv');
  const wageRows = [
    'event_id,occurred_at,school_id,staff_id,period,amount_yuan,source',
    'csv-wage-1,2025-09-30T10:00:00+08:00,3441080201,PAY-9000001,2025-09,5200.50,payroll',
    'csv-wage-2,2025-09-30T10:00:00+08:00,3441080201,PAY-9000002,2025-09,4800,payroll',
    'csv-wage-3,2025-09-30T10:00:00+08:00,3441080302,PAY-9000003,2025-09,6100.25,',
  ];
  // CSV with a `type` column, one bad record (line 3) that carries a raw student id.
  const cancelCsv = join(t.dir, 'cancellations.csv');
  const cancelRows = [
    'type,event_id,occurred_at,school_id,student_id,year,reason',
    `admission.cancelled,csv-cancel-1,2025-08-01T09:00:00+08:00,3441080201,${rawStudent(5)},2025,withdrew`,
    `admission.cancelled,csv-cancel-2,2025-08-01T09:00:00+08:00,3441080201,${rawStudent(6)},MMXXV,withdrew`,
    `admission.cancelled,csv-cancel-3,2025-08-01T09:30:00+08:00,3441080302,${rawStudent(7)},2025,`,
  ];
  const rawIds = new Set<string>([...[1, 2, 3, 4, 5, 6, 7].map(rawStudent), 'PAY-9000001', 'PAY-9000002', 'PAY-9000003']);
  for (const e of jsonValid)
    for (const f of ['student_id', 'staff_id']) if (typeof (e as Record<string, unknown>)[f] === 'string') rawIds.add((e as Record<string, string>)[f]!);

  const results: Record<string, Awaited<ReturnType<typeof runEdumon>>> = {};

  beforeAll(async () => {
    writeFileSync(jsonl, `${jsonLines.map((l) => l.text).join('\n')}\n`);
    writeFileSync(wageCsv, `${wageRows.join('\r\n')}\r\n`);
    writeFileSync(cancelCsv, `${cancelRows.join('\n')}\n`);
    results.jsonl = await runEdumon(['ingest', jsonl], t.env);
    results.wages = await runEdumon(['ingest', wageCsv, '--type', 'wage.paid'], t.env);
    results.cancellations = await runEdumon(['ingest', cancelCsv], t.env);
    results.run = await runEdumon(['run', '--until-idle'], t.env);
  });

  it('reports every bad JSON Lines record as FILE:LINE: reason naming the field, and exits 1', () => {
    const r = results.jsonl!;
    expect(r.code, r.output).toBe(1);
    const reported = r.stderr.split('\n').filter((l) => l.startsWith(`${jsonl}:`));
    const expected = jsonLines.flatMap((l, i) => (l.bad ? [{ line: i + 1, bad: l.bad }] : []));
    expect(reported).toHaveLength(expected.length);
    for (const { line, bad } of expected) {
      const report = reported.find((l) => l.startsWith(`${jsonl}:${line}: `));
      expect(report, `line ${line} reported`).toBeDefined();
      expect(report!.slice(`${jsonl}:${line}: `.length)).toMatch(bad);
    }
    expect(r.stdout).toContain(`${jsonl}: 16 records, 12 published, 4 rejected`);
  });

  it('publishes a CSV file of one type given with --type, and exits 0 when no line is rejected', () => {
    const r = results.wages!;
    expect(r.code, r.output).toBe(0);
    expect(r.stderr).not.toContain(`${wageCsv}:`);
    expect(r.stdout).toContain(`${wageCsv}: 3 records, 3 published, 0 rejected`);
  });

  it('reads the type of CSV records from a `type` column and reports a bad cell by its field', () => {
    const r = results.cancellations!;
    expect(r.code, r.output).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^${cancelCsv.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3: year: `, 'm'));
    expect(r.stdout).toContain(`${cancelCsv}: 3 records, 2 published, 1 rejected`);
  });

  it('never prints a raw student or staff id, not even from a rejected line', () => {
    const all = Object.values(results)
      .map((r) => r.output)
      .join('\n');
    expect(idsIn(all, rawIds)).toEqual([]);
  });

  it('stores exactly the published records: `edumon run --until-idle` then `edumon query`', async () => {
    expect(results.run!.code, results.run!.output).toBe(0);
    // Delivery is at-least-once: a producer retry (e.g. while a fresh broker elects leaders) may
    // redeliver some records, which the pipeline skips. Exactly 17 are stored either way.
    expect(results.run!.stdout).toMatch(/stored 17 events, \d+ duplicates skipped, 0 rejected/);
    const counts = await tableCounts(t.env);
    // One of each type from the JSON Lines file, three wages and two cancellations from the CSV files.
    expect(counts).toEqual({ ...Object.fromEntries(TABLES.map((tb) => [tb, 1])), wage_payments: 4, admission_cancellations: 3, rejections: 0 });
    const ids = await queryJson(t.env, `select event_id from wage_payments union all select event_id from admission_cancellations order by event_id`);
    expect(ids.map((r) => r.event_id)).toEqual(
      [
        'csv-cancel-1',
        'csv-cancel-3',
        'csv-wage-1',
        'csv-wage-2',
        'csv-wage-3',
        ...jsonValid.filter((e) => e.type === 'admission.cancelled' || e.type === 'wage.paid').map((e) => e.event_id),
      ].sort(),
    );
    const [wage] = await queryJson(t.env, `select amount_yuan::varchar as amount, source from wage_payments where event_id = 'csv-wage-1'`);
    expect(wage).toEqual({ amount: '5200.50', source: 'payroll' });
  });

  it('exits 2 naming a file that does not exist', async () => {
    const missing = join(t.dir, 'no-such-file.jsonl');
    const r = await runEdumon(['ingest', missing], t.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(missing);
    expect(r.stderr).toMatch(/no such file/);
  });
});

describe('edumon query', () => {
  const t = testEnv('cli-query');
  const events: ContractEvent[] = [
    ...validEvents(240, 5),
    // Sent in UTC: reports show it in Asia/Shanghai.
    {
      event_id: 'tz-utc',
      type: 'funds.disbursed',
      occurred_at: '2025-07-10T01:00:00+00:00',
      school_id: '3441080201',
      fiscal_year: 2025,
      fund_type: 'facility',
      amount_yuan: 1000,
    },
  ];
  const writes = (dir: string) => [
    `insert into admissions select * from admissions`,
    `delete from admissions`,
    `update admissions set year = 1999`,
    `drop table admissions`,
    `copy admissions to '${join(dir, 'leak.csv')}'`,
    `attach '${join(dir, 'other.duckdb')}' as other`,
    `explain analyze copy admissions to '${join(dir, 'leak-explained.csv')}'`,
  ];
  const written = (dir: string) => ['leak.csv', 'other.duckdb', 'leak-explained.csv'].filter((f) => existsSync(join(dir, f)));
  let before: Record<string, number>;

  beforeAll(async () => {
    await buildReference(t.config.warehouse, events, TEST_KEY);
    before = await tableCounts(t.env);
  });

  describe('on a stopped warehouse (opened read-only)', () => {
    it('answers in table, csv and json formats, with timestamps in Asia/Shanghai (+08:00)', async () => {
      const sql = `select event_id, occurred_at, amount_yuan from fund_disbursements where event_id = 'tz-utc'`;
      const table = await runEdumon(['query', sql], t.env);
      expect(table.code, table.output).toBe(0);
      const lines = table.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^event_id\s+│ occurred_at\s+│ amount_yuan$/);
      expect(lines[2]).toMatch(/^tz-utc\s+│ 2025-07-10 09:00:00\+08:00 │ 1000(\.00)?$/);
      expect(lines[3]).toBe('(1 row)');

      const csv = await runEdumon(['query', sql, '--format', 'csv'], t.env);
      expect(csv.code, csv.output).toBe(0);
      expect(csvLines(csv.stdout)).toEqual(['event_id,occurred_at,amount_yuan', expect.stringMatching(/^tz-utc,2025-07-10 09:00:00\+08:00,1000(\.00)?$/)]);

      expect(await queryJson(t.env, sql)).toEqual([{ event_id: 'tz-utc', occurred_at: '2025-07-10 09:00:00+08:00', amount_yuan: expect.anything() }]);
    });

    it('counts what the warehouse holds', () => {
      const expected = Object.fromEntries([...TABLES.map((tb) => [tb, 20]), ['rejections', 0]]);
      expect(before).toEqual({ ...expected, fund_disbursements: 21 });
    });

    it('refuses INSERT, DELETE, UPDATE, DROP, COPY, ATTACH (even under EXPLAIN ANALYZE) with exit 2, changing nothing', async () => {
      await expectEveryWriteRefused();
    });

    it('says clearly when the warehouse does not exist, and does not create it', async () => {
      const missing = join(t.dir, 'nowhere', 'warehouse.duckdb');
      const r = await runEdumon(['query', 'select 1'], { ...t.env, EDUMON_WAREHOUSE: missing });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(`warehouse ${missing} does not exist yet`);
      expect(r.stderr).toContain('edumon run');
      expect(existsSync(missing)).toBe(false);
    });
  });

  /** Every write statement exits 2 with a query error, and neither a file nor a row changes. */
  const expectEveryWriteRefused = async () => {
    for (const sql of writes(t.dir)) {
      const r = await runEdumon(['query', sql], t.env);
      expect(r.code, `${sql}\n${r.output}`).toBe(2);
      expect(r.stderr).toMatch(/^edumon: query: /);
    }
    expect(written(t.dir)).toEqual([]);
    expect(await tableCounts(t.env)).toEqual(before);
  };

  describe('while `edumon run` holds the warehouse', () => {
    let proc: Running;
    let exitCode: number | null;
    let serviceFileWhileUp = false;
    const extra = validEvents(24, 6).map((e) => ({ ...e, event_id: `live-${e.event_id}` }));
    const extraFile = join(t.dir, 'live.jsonl');

    beforeAll(async () => {
      proc = spawnEdumon(['run'], t.env);
      await waitFor(() => proc.output().includes('pipeline running'), 60_000, 'the service to start');
      serviceFileWhileUp = existsSync(serviceFileOf(t.config.warehouse));
    });

    afterAll(async () => {
      if (proc.child.exitCode === null && proc.child.signalCode === null) {
        proc.child.kill('SIGKILL');
        await proc.exited;
      }
    });

    it('answers queries through the service, with timestamps in +08:00', async () => {
      expect(serviceFileWhileUp).toBe(true);
      expect(await tableCounts(t.env)).toEqual(before);
      expect(await queryJson(t.env, `select occurred_at from fund_disbursements where event_id = 'tz-utc'`)).toEqual([
        { occurred_at: '2025-07-10 09:00:00+08:00' },
      ]);
      const table = await runEdumon(['query', `select occurred_at from fund_disbursements where event_id = 'tz-utc'`, '-f', 'csv'], t.env);
      expect(csvLines(table.stdout)).toEqual(['occurred_at', '2025-07-10 09:00:00+08:00']);
    });

    it('answers through the service without loading DuckDB, kafkajs, ECharts, exceljs or nodemailer', async () => {
      const loaded = await packagesLoadedBy(['query', 'select 1'], t.env);
      expect(loaded.filter((p) => HEAVY.includes(p))).toEqual([]);
    });

    it('still refuses every write with exit 2, changing nothing', async () => {
      await expectEveryWriteRefused();
      expect(proc.child.exitCode).toBeNull();
    });

    it('stores newly ingested events while it runs, and they can be queried at once', async () => {
      writeFileSync(extraFile, `${extra.map((e) => JSON.stringify(e)).join('\n')}\n`);
      const ingest = await runEdumon(['ingest', extraFile], t.env);
      expect(ingest.code, ingest.output).toBe(0);
      const live = `select count(*) as n from (${TABLES.map((tb) => `select event_id from ${tb}`).join(' union all ')}) where event_id like 'live-%'`;
      await waitFor(async () => Number((await queryJson(t.env, live))[0]!.n) === extra.length, 60_000, 'the live events to be stored');
    });

    it('answers SIGTERM by finishing, printing its summary and exiting 0, removing its .service.json', async () => {
      proc.child.kill('SIGTERM');
      exitCode = await proc.exited;
      expect(exitCode, proc.output()).toBe(0);
      expect(proc.output()).toMatch(/^stored 24 events, 0 duplicates skipped, 0 rejected$/m);
      expect(existsSync(serviceFileOf(t.config.warehouse))).toBe(false);
      // The warehouse is free again: queries open it read-only and see what the service stored.
      const after = await tableCounts(t.env);
      expect(Object.values(after).reduce((a, b) => a + b, 0)).toBe(Object.values(before).reduce((a, b) => a + b, 0) + extra.length);
    });
  });
});

describe('production safety', () => {
  it('`edumon run` with EDUMON_ENV=production and no EDUMON_PSEUDONYM_KEY exits 2, names the variable, and touches nothing', async () => {
    const t = testEnv('cli-prod');
    const r = await runEdumon(['run'], { ...t.env, EDUMON_ENV: 'production', EDUMON_PSEUDONYM_KEY: '' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('EDUMON_PSEUDONYM_KEY');
    expect(existsSync(t.config.warehouse)).toBe(false);
    expect(existsSync(`${t.config.warehouse}.pseudonym-key`)).toBe(false);
  });
});

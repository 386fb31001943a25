/**
 * What the CLI prints is safe to print: a hostile school name cannot act on the terminal or forge
 * a line, results of 150k rows print whole, a reader that stops early ends the command quietly,
 * and times read the same (Asia/Shanghai, +08:00) whatever the host's TZ.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, openWarehouse } from '../../core/db.ts';
import { migrate } from '../../pipeline/migrate.ts';
import { runEdumon } from '../helpers/cli.ts';
import { testEnv } from '../helpers/testEnv.ts';

const HOSTILE = 'Good School\u001b[31m RED\u0007\r\nFAKE LINE\u009b2J \u202eevil\u202c \u2066iso\u2069 end';
// Any C0 control but LF (the line terminator), DEL, C1, and the bidi / line-separator characters.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for raw control characters that reached the output unescaped
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const BIG = 150_000;
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'edumon.mjs');

/** Runs SQL on a fresh, migrated warehouse file. */
async function build(file: string, sql: string): Promise<void> {
  const instance = await openWarehouse(file);
  const conn = await connect(instance);
  try {
    await migrate(conn);
    await conn.run(sql);
    await conn.run('checkpoint');
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** stdout and stderr of a command under a host time zone, the run's duration blanked out. */
async function underTz(args: string[], env: Record<string, string>, TZ: string): Promise<string> {
  const r = await runEdumon(args, { ...env, TZ });
  expect(r.code, r.output).toBe(0);
  return `${r.stdout}\n--- stderr ---\n${r.stderr.replace(/ in \d+ ms/g, ' in N ms')}`;
}

describe('a hostile school name and host time zones', () => {
  const t = testEnv('cli-output');
  afterAll(() => rmSync(t.dir, { recursive: true, force: true }));
  beforeAll(async () => {
    const hostile = HOSTILE.replace(/'/g, "''");
    await build(
      t.config.warehouse,
      `
      insert into school_versions (event_id, occurred_at, source, school_id, name, level, ownership, region_code, status, licensed, capacity, ingested_at)
        values ('s1', '2025-07-01T08:00:00+08:00', 'test', '3441210001', '${hostile}', 'kindergarten', 'public', '410821', 'open', true, 100, '2025-07-01T08:00:05+08:00');
      insert into admissions values ('a1', '2025-07-12T10:00:00+08:00', 'test', '9999999999', 'stu-1', 2025, '410821', 'unified', '2025-07-12T10:00:01+08:00');`,
    );
  });

  it('query prints the name with every control character escaped and no forged line, as a table and as CSV', async () => {
    const sql = `select school_id, name, occurred_at from school_versions`;
    const table = await runEdumon(['query', sql], t.env);
    expect(table.code, table.output).toBe(0);
    expect(table.stdout).not.toMatch(RAW_CONTROL);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[2]).toMatch(
      /^3441210001 │ Good School\\u001b\[31m RED\\u0007\\u000d\\u000aFAKE LINE\\u009b2J \\u202eevil\\u202c \\u2066iso\\u2069 end │ 2025-07-01 08:00:00\+08:00$/,
    );
    expect(lines[3]).toBe('(1 row)');

    const csv = await runEdumon(['query', sql, '--format', 'csv'], t.env);
    expect(csv.code, csv.output).toBe(0);
    // The CSV dialect's own CRLFs aside (core/csv.ts), no control character reaches the terminal.
    expect(csv.stdout.replace(/\r\n/g, '\n')).not.toMatch(RAW_CONTROL);
    expect(csv.stdout).toBe(
      '\ufeffschool_id,name,occurred_at\r\n' +
        '3441210001,Good School\\u001b[31m RED\\u0007\\u000d\\u000aFAKE LINE\\u009b2J \\u202eevil\\u202c \\u2066iso\\u2069 end,2025-07-01 08:00:00+08:00\r\n',
    );

    // JSON stays JSON and keeps the exact name; only its escaping differs.
    const json = await runEdumon(['query', sql, '--format', 'json'], t.env);
    expect(json.stdout).not.toMatch(RAW_CONTROL);
    expect(JSON.parse(json.stdout)).toMatchObject({ name: HOSTILE });
  });

  it('query and rules run print the same bytes under TZ=UTC, Asia/Tokyo and America/New_York', async () => {
    const q = ['query', `select occurred_at, ingested_at, timestamptz '2025-12-31 16:00:00.5+00' as new_year from admissions`];
    const utc = await underTz(q, t.env, 'UTC');
    expect(utc).toContain('2025-07-12 10:00:00+08:00 │ 2025-07-12 10:00:01+08:00 │ 2026-01-01 00:00:00.5+08:00');
    expect(await underTz(q, t.env, 'Asia/Tokyo')).toBe(utc);
    expect(await underTz(q, t.env, 'America/New_York')).toBe(utc);

    const rules = ['rules', 'run', '--dry-run', '--rule', 'DQ-UNKNOWN-SCHOOL', '--at', '2025-07-13T00:00:00'];
    const rulesUtc = await underTz(rules, t.env, 'UTC');
    expect(rulesUtc).toMatch(/^DQ-UNKNOWN-SCHOOL │ 9999999999/m);
    // The last column says the result in words, with its unit (alerts/resultWords.ts).
    expect(rulesUtc).toMatch(/│ 提及该校的事件 \d+ 条$/m);
    expect(rulesUtc).toContain('1 violation(s) from 1 rule(s) as of 2025-07-13T00:00:00+08:00 in N ms');
    expect(await underTz(rules, t.env, 'Asia/Tokyo')).toBe(rulesUtc);
    expect(await underTz(rules, t.env, 'America/New_York')).toBe(rulesUtc);
  });
});

describe(`${BIG.toLocaleString('en')} rows`, () => {
  // 150,000 alerts at once is a storm (DQ-ALERT-STORM): this test wants them all opened, so the valve is opened wide.
  const t = testEnv('cli-big', { EDUMON_RULES_STORM_MAX_OPENS: String(BIG) });
  afterAll(() => rmSync(t.dir, { recursive: true, force: true }));
  beforeAll(async () => {
    // One admission each to 150k schools the registry does not know: DQ-UNKNOWN-SCHOOL fires 150k times.
    await build(
      t.config.warehouse,
      `
      insert into admissions
        select 'a' || i, '2025-07-12T10:00:00+08:00', 'test', 'X' || lpad(i::varchar, 9, '0'), 'stu-' || i, 2025, '410821', 'unified', '2025-07-12T10:00:01+08:00'
        from range(${BIG}) r(i);`,
    );
  }, 120_000);

  it('rules run prints every violation and opens an alert for each; alerts list prints them all', { timeout: 300_000 }, async () => {
    const run = await runEdumon(['rules', 'run', '--rule', 'DQ-UNKNOWN-SCHOOL', '--at', '2025-07-13T00:00:00+08:00'], t.env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/call stack|unexpected error/i);
    const runLines = run.stdout.trimEnd().split('\n');
    expect(runLines).toHaveLength(BIG + 3);
    expect(runLines.at(-1)).toBe(`(${BIG} rows)`);
    expect(run.stderr).toContain(`${BIG} violation(s) from 1 rule(s)`);

    const list = await runEdumon(['alerts', 'list'], t.env);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stderr).toBe('');
    const listLines = list.stdout.trimEnd().split('\n');
    expect(listLines).toHaveLength(BIG + 3);
    expect(listLines.at(-1)).toBe(`(${BIG} rows)`);
    expect(listLines.filter((l) => l.includes('X000000000') || l.includes(`X${String(BIG - 1).padStart(9, '0')}`))).toHaveLength(2);

    const json = await runEdumon(['alerts', 'list', '--json'], t.env);
    expect(json.code, json.stderr).toBe(0);
    expect(json.stdout.trimEnd().split('\n')).toHaveLength(BIG);
  });

  it('alerts list | head -1: the reader closes the pipe, the command ends quietly with status 141', { timeout: 120_000 }, async () => {
    // A real shell pipeline: head exits after one line and closes the pipe while edumon is still writing.
    const r = await run('bash', ['-c', `"${process.execPath}" "${BIN}" alerts list | head -1; echo "edumon exited \${PIPESTATUS[0]}" >&2`], t.env);
    expect(r.stdout).toMatch(/^id\s+│ rule\s+│ severity/);
    expect(r.stdout.split('\n')).toHaveLength(2);
    expect(r.stderr).toBe('edumon exited 141\n');
  });
});

/** A program's stdout and stderr, apart. */
async function run(cmd: string, args: string[], env: Record<string, string>): Promise<{ stdout: string; stderr: string }> {
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  await new Promise((resolve) => child.on('close', resolve));
  return { stdout, stderr };
}

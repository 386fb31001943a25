/** `edumon simulate --publish` into a real broker, then `edumon run`: the warehouse holds what the files say. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ViolationKey } from '../../domain/violation.ts';
import { runEdumon } from '../helpers/cli.ts';
import { testEnv } from '../helpers/testEnv.ts';
import { queryWarehouse } from '../helpers/warehouse.ts';

describe('edumon simulate --publish', () => {
  it('publishes every line, corrupt ones included, and the pipeline stores each valid event once with truth pseudonyms', async () => {
    const t = testEnv('simulate');
    const out = join(t.dir, 'sim');
    const sim = await runEdumon(
      [
        'simulate',
        '--seed',
        '2',
        '--scale',
        '0.05',
        '--from',
        '2025-06-01',
        '--to',
        '2025-09-30',
        '--out',
        out,
        '--corrupt',
        '0.005',
        '--publish',
        '--rate',
        '200000',
      ],
      t.env,
    );
    expect(sim.code, sim.output).toBe(0);
    expect(sim.stdout).toMatch(/published \d+ messages/);
    const truth = JSON.parse(readFileSync(join(out, 'truth.json'), 'utf8')) as {
      events_by_type: Record<string, number>;
      corrupt: { malformed: number };
      violations: ViolationKey[];
    };
    const run = await runEdumon(['run', '--until-idle'], t.env);
    expect(run.code, run.output).toBe(0);
    const tables: Record<string, string> = {
      'admission.admitted': 'admissions',
      'enrollment.enrolled': 'enrollments',
      'wage.paid': 'wage_payments',
      'staff.upserted': 'staff_versions',
      'school.upserted': 'school_versions',
    };
    for (const [type, table] of Object.entries(tables)) {
      const [row] = await queryWarehouse<{ n: number }>(t.config.warehouse, `select count(*)::int as n from ${table}`);
      expect(row!.n, table).toBe(truth.events_by_type[type]);
    }
    const [rej] = await queryWarehouse<{ n: number }>(t.config.warehouse, `select count(*)::int as n from rejections`);
    expect(rej!.n).toBe(truth.corrupt.malformed);
    // truth.json names people by the pseudonyms the warehouse holds (same key from the config).
    const short = truth.violations.filter((v) => v.rule === 'ADM-DUPLICATE' || v.rule === 'WAGE-SHORT' || v.rule === 'WAGE-LATE').map((v) => v.subject!);
    expect(short.length).toBeGreaterThan(0);
    const known = await queryWarehouse<{ p: string }>(
      t.config.warehouse,
      `select student_pseudonym as p from admissions union select staff_pseudonym from wage_payments`,
    );
    const set = new Set(known.map((k) => k.p));
    for (const s of short) expect(set.has(s), s).toBe(true);
  }, 300_000);
});

describe('edumon simulate --publish --rate', () => {
  it('paces publishing to the given number of messages per second', async () => {
    const t = testEnv('simrate');
    const started = Date.now();
    const sim = await runEdumon(
      ['simulate', '--scale', '0.05', '--from', '2025-03-01', '--to', '2025-03-31', '--out', join(t.dir, 'sim'), '--publish', '--rate', '10000'],
      t.env,
    );
    expect(sim.code, sim.output).toBe(0);
    const sent = Number(/published (\d+) messages/.exec(sim.stdout)?.[1]);
    expect(sent).toBeGreaterThan(4000);
    expect(Date.now() - started).toBeGreaterThanOrEqual((sent / 10_000) * 1000 * 0.9);
  }, 120_000);
});

describe('edumon demo', () => {
  it('publishes a simulated year, ingests it and prints table counts that match the warehouse', async () => {
    const t = testEnv('demo');
    const r = await runEdumon(['demo', '--scale', '0.05'], t.env);
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toMatch(/every simulated event is stored exactly once/);
    const printed = Object.fromEntries([...r.stdout.matchAll(/^ {2}(\w+) +(\d+)/gm)].map((m) => [m[1]!, Number(m[2])]));
    expect(Object.keys(printed)).toContain('wage_payments');
    for (const [table, n] of Object.entries(printed)) {
      const [row] = await queryWarehouse<{ n: number }>(t.config.warehouse, `select count(*)::int as n from ${table}`);
      expect(row!.n, table).toBe(n);
    }
    expect(printed.enrollments).toBeGreaterThan(10_000);
    // The console ran beside it, with one user per role, each password printed once.
    expect(r.stdout).toMatch(/^console 控制台: http:\/\/127\.0\.0\.1:\d+ /m);
    const users = [...r.stdout.matchAll(/^ {2}(\w+) +(\w+) +([A-Za-z2-9]{16}) {2}\S/gm)].map((m) => `${m[1]} ${m[2]}`);
    expect(users).toEqual(['wen county', 'city city', 'data data', 'analyst analyst', 'admin admin']);
  }, 300_000);
});

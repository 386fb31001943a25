/**
 * A stopped warehouse last migrated by an older edumon, opened read-only (`query`, `rules run
 * --dry-run`, `alerts list`): today's views and macros apply; missing migrations are named. And
 * one from before the data dictionary (migrations up to 0007), upgraded by `edumon migrate`.
 */
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { connect, openWarehouse, sqlFiles, sqlText } from '../../core/db.ts';
import { overQuota } from '../helpers/alertWorld.ts';
import { runEdumon } from '../helpers/cli.ts';
import { testEnv } from '../helpers/testEnv.ts';

/** Stores overQuota (a plan of 2, 3 admissions), then runs `older` on the warehouse as an old edumon left it. */
async function warehouse(path: string, older: string): Promise<void> {
  const instance = await openWarehouse(path);
  const conn = await connect(instance);
  try {
    await overQuota().store(conn);
    await conn.run(older);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/**
 * Stores overQuota in a warehouse as an edumon of migration 0007 left it: the migrations up to
 * 0007 applied and recorded as migrate() does, its views and macros stored, and no comment.
 */
async function beforeComments(path: string): Promise<void> {
  const instance = await openWarehouse(path);
  const conn = await connect(instance);
  try {
    await conn.run(`create table schema_migrations (version varchar primary key, applied_at timestamptz not null)`);
    for (const name of sqlFiles('migrations').filter((n) => n < 'migrations/0008')) {
      await conn.run(`begin transaction; ${sqlText(name)}; insert into schema_migrations values ('${name.slice('migrations/'.length)}', now()); commit`);
    }
    for (const name of sqlFiles('views')) await conn.run(sqlText(name).replace(/^comment on .*$/gm, ''));
    // Today's sink also writes payroll's latest month, a column migration 0009 adds: the events are
    // stored with it, then it goes, as an edumon of 0007 left the table.
    await conn.run(`alter table feed_progress add column max_period varchar`);
    await overQuota().write(conn);
    await conn.run(`alter table feed_progress drop column max_period`);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

describe('a warehouse from an older edumon, opened read-only', () => {
  const t = testEnv('older-warehouse');
  // The admissions are the admission feed's last events: with no allowed lateness they are judged.
  t.env.EDUMON_FEEDS_ALLOWED_LATENESS_MINUTES = '0';
  afterAll(() => rmSync(t.dir, { recursive: true, force: true }));

  it("answers with this edumon's macros, not the stored ones, and changes nothing", async () => {
    // The old edumon had no asof_pay_gaps and a net-admissions macro that saw nothing.
    await warehouse(
      t.config.warehouse,
      `drop macro table asof_pay_gaps;
      create or replace macro asof_net_admissions(t) as table select school_id, student_pseudonym, year, occurred_at as admitted_at,
        home_region_code, admission_type from admissions where false`,
    );
    const rules = await runEdumon(['rules', 'run', '--dry-run', '--json', '--rule', 'ADM-OVER-QUOTA', '--at', '2025-12-31T23:59:59+08:00'], t.env);
    expect(rules.code, rules.output).toBe(0);
    expect(
      rules.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).observed),
    ).toEqual([3]);
    const gaps = await runEdumon(['query', '--format', 'json', `select count(*)::int as n from asof_pay_gaps('2025-12-31'::timestamptz, 10)`], t.env);
    expect(gaps.code, gaps.output).toBe(0);
    expect(JSON.parse(gaps.stdout.trim())).toEqual({ n: 0 });
    // Nothing was written: the stored macro is still the old one.
    const instance = await openWarehouse(t.config.warehouse, { readOnly: true });
    const conn = await connect(instance);
    try {
      const stored = await conn.runAndReadAll(`select count(*)::int as n from duckdb_functions() where function_name = 'asof_pay_gaps'`);
      expect(stored.getRowObjectsJson()).toEqual([{ n: 0 }]);
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });

  it('names the migrations it lacks and what to run', async () => {
    const env = { ...t.env, EDUMON_WAREHOUSE: `${t.dir}/unmigrated.duckdb` };
    await warehouse(env.EDUMON_WAREHOUSE, `delete from schema_migrations where version = '0003_alerts'`);
    for (const args of [
      ['query', 'select 1'],
      ['alerts', 'list'],
      ['rules', 'run', '--dry-run'],
    ]) {
      const r = await runEdumon(args, env);
      expect(r.code, `${args.join(' ')}: ${r.output}`).toBe(1);
      expect(r.stderr).toContain(`warehouse ${env.EDUMON_WAREHOUSE} needs migration(s) 0003_alerts: run \`edumon migrate\``);
    }
  });
});

describe('a warehouse from before the data dictionary (migrated up to 0007)', () => {
  const t = testEnv('older-comments');
  afterAll(() => rmSync(t.dir, { recursive: true, force: true }));
  const query = async (sql: string) => {
    const r = await runEdumon(['query', '--format', 'json', sql], t.env);
    expect(r.code, r.output).toBe(0);
    return r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
  };

  it('gets a comment on every table, view and column from `edumon migrate`, keeps its events, and read-only queries show them', async () => {
    await beforeComments(t.config.warehouse);
    const refused = await runEdumon(['query', 'select 1'], t.env);
    expect(refused.stderr).toContain('needs migration(s) 0008_comments, 0009_feed_quiet, 0010_told_means_accepted, 0011_console: run `edumon migrate`');

    const migrated = await runEdumon(['migrate'], t.env);
    expect(migrated.code, migrated.output).toBe(0);
    expect(migrated.stdout).toContain('applied 0008_comments, 0009_feed_quiet, 0010_told_means_accepted, 0011_console;');

    // `edumon query` opens it read-only: the stored tables' comments, and those of this edumon's temp views.
    const [all] = await query(
      `select count(*)::int as columns, count(*) filter (comment is null)::int as uncommented from duckdb_columns() where not internal`,
    );
    expect(all.columns).toBeGreaterThan(250);
    expect(all.uncommented).toBe(0);
    expect(
      await query(`select comment from duckdb_columns() where database_name = 'temp' and table_name = 'current_staff' and column_name = 'staff_pseudonym'`),
    ).toEqual([{ comment: expect.stringMatching(/^教职工假名：.* \/ Staff pseudonym: a keyed pseudonym \(HMAC\)/) }]);
    expect(await query(`select comment from duckdb_tables() where table_name = 'admissions'`)).toEqual([
      { comment: expect.stringMatching(/^录取：.* \/ Admissions: /) },
    ]);
    expect(await query(`select count(*)::int as n from admissions`)).toEqual([{ n: 3 }]);
  });
});

/**
 * `edumon digest` as a user runs it, and the service's weekly digest job: the real CLI on a DuckDB
 * file holding a small stored world (a preview to a file with its text and workbook; clear errors
 * for a bad week, region or language; --send exactly once), then `edumon run` sending the due
 * week's digest to a real SMTP server at start, once per contact across a restart, while a preview
 * goes through the running service, and not while ingestion is behind.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dueDigestWeek } from '../../alerts/digest/sendDay.ts';
import { connect, openWarehouse } from '../../core/db.ts';
import { buildLoad } from '../fixtures/load.ts';
import { runEdumon, spawnEdumon, waitFor } from '../helpers/cli.ts';
import { twoCountyWorld } from '../helpers/digestWorld.ts';
import { publishRaw, testKafka } from '../helpers/kafka.ts';
import { type SmtpCatcher, startSmtpCatcher } from '../helpers/smtpCatcher.ts';
import { testEnv } from '../helpers/testEnv.ts';

const t = testEnv('digest-cli');
const CONTACTS = {
  '410825': [{ id: 'wen', name: '温县教育局', email: 'wen@jyj.example.cn' }],
  '410800': [{ id: 'city', name: '焦作市教育局', email: 'city@jyj.example.cn' }],
};
let catcher: SmtpCatcher;
let env: Record<string, string>;

beforeAll(async () => {
  catcher = await startSmtpCatcher();
  const configFile = join(t.dir, 'config.json');
  writeFileSync(configFile, JSON.stringify({ notify: { smtpUrl: catcher.url, contacts: CONTACTS } }));
  env = { ...t.env, EDUMON_CONFIG: configFile };
  const w = twoCountyWorld();
  const instance = await openWarehouse(env.EDUMON_WAREHOUSE!);
  const conn = await connect(instance);
  await w.store(conn);
  conn.closeSync();
  instance.closeSync();
}, 60_000);

afterAll(async () => {
  await catcher?.stop();
  rmSync(t.dir, { recursive: true, force: true });
});

describe('edumon digest', () => {
  it('previews a county’s digest to a file a browser shows, with its plain text and workbook beside it', async () => {
    const out = join(t.dir, 'wen.html');
    const r = await runEdumon(['digest', '--week', '2025-W27', '--region', '410825', '--out', out], env);
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toMatch(/^主题 subject: 【周报】温县 2025-W27 指标/);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('学前三年毛入园率');
    expect(html).toContain('data:image/png;base64,'); // the trend pictures inline: a browser cannot resolve cid:
    expect(html).not.toContain('cid:');
    const text = readFileSync(join(t.dir, 'wen.txt'), 'utf8');
    expect(text).toContain('97.0%');
    expect(text).not.toContain('武陟县');
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(join(t.dir, 'wen.xlsx'));
    expect(book.worksheets.length).toBeGreaterThan(0);
    const cells = book.worksheets.flatMap((s) => s.getSheetValues().flat().map(String));
    expect(cells).toContain('温县');
  });

  it('names a bad week, region or language and exits 2, writing nothing', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--week', '2025-W54'], /2025-W54/],
      [['--week', 'last'], /last/],
      [['--region', '999999'], /999999/],
      [['--lang', 'fr'], /--lang.*fr/],
    ];
    for (const [args, said] of cases) {
      const out = join(t.dir, `bad-${args[1]}.html`);
      const r = await runEdumon(['digest', ...(args[0] === '--week' ? [] : ['--week', '2025-W27']), ...args, '--out', out], env);
      expect(r.code, `${args.join(' ')}: ${r.output}`).toBe(2);
      expect(r.stderr).toMatch(said);
      expect(existsSync(out)).toBe(false);
    }
  });

  it('--send writes the week’s digest for each contact to the outbox once, however often it is run', async () => {
    const first = await runEdumon(['digest', '--send', '--week', '2025-W27'], env);
    expect(first.code, first.output).toBe(0);
    expect(first.stdout).toContain('写入发件箱 2 封，已有 0 封');
    const again = await runEdumon(['digest', '--send', '--week', '2025-W27'], env);
    expect(again.stdout).toContain('写入发件箱 0 封，已有 2 封');
  });
});

describe('edumon run: the weekly digest job', () => {
  it('sends the due week’s digest to each contact at start, once across a restart, and previews through the running service', async () => {
    const due = dueDigestWeek(Date.now()).label;
    const runEnv = { ...env, EDUMON_RULES_SCHEDULE: 'on' };
    const digestsOf = (week: string) => catcher.accepted.filter((m) => m.subject.startsWith('【周报】') && m.subject.includes(week));
    const first = spawnEdumon(['run'], runEnv);
    try {
      await waitFor(() => digestsOf(due).length >= 2, 90_000, `the ${due} digests`).catch((err) => {
        throw new Error(`${err.message}:\n${first.output()}`);
      });
      expect(
        digestsOf(due)
          .map((m) => m.to.join())
          .sort(),
      ).toEqual(['city@jyj.example.cn', 'wen@jyj.example.cn']);
      expect(first.output()).toContain('weekly digest written to the outbox');
      // A preview while the service holds the warehouse: answered by the service.
      const out = join(t.dir, 'city-live.html');
      const preview = await runEdumon(['digest', '--week', '2025-W27', '--out', out], env);
      expect(preview.code, preview.output).toBe(0);
      expect(readFileSync(out, 'utf8')).toContain('武陟县');
    } finally {
      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);
    }
    const second = spawnEdumon(['run'], runEnv);
    try {
      // At start its digest job finds the due week already in the outbox and writes nothing.
      await waitFor(() => second.output().includes('weekly digest already in the outbox'), 60_000, 'the digest job at start').catch((err) => {
        throw new Error(`${err.message}:\n${second.output()}`);
      });
      expect(second.output()).toMatch(new RegExp(`week=${due} emails=2 next_due=\\d{4}-\\d\\d-\\d\\dT08:00:00\\+08:00`));
    } finally {
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    }
    expect(digestsOf(due)).toHaveLength(2);
    // --send of 2025-W27 earlier wrote those two to the outbox: the service sent them too, once each.
    expect(digestsOf('2025-W27')).toHaveLength(2);
    for (const [key, n] of catcher.acceptedCounts()) expect(n, key).toBe(1);
  });

  it('waits while ingestion is behind (after a restart, say): no digest from a half-stored week', async () => {
    const w = testEnv('digest-behind');
    const configFile = join(w.dir, 'config.json');
    writeFileSync(configFile, JSON.stringify({ notify: { smtpUrl: catcher.url, contacts: CONTACTS } }));
    // 20,000 messages wait in the topics when the service starts; it may be no more than 100 behind.
    await publishRaw(testKafka(), buildLoad(w.config, 20_000, 5).messages);
    const before = catcher.accepted.length;
    const svc = spawnEdumon(['run'], { ...w.env, EDUMON_CONFIG: configFile, EDUMON_RULES_SCHEDULE: 'on', EDUMON_RULES_MAX_INGEST_LAG: '100' });
    try {
      await waitFor(() => svc.output().includes('weekly digest waits for ingestion to catch up'), 60_000, 'the digest job to wait').catch((err) => {
        throw new Error(`${err.message}:\n${svc.output()}`);
      });
      expect(svc.output()).not.toContain('weekly digest written to the outbox');
    } finally {
      svc.child.kill('SIGTERM');
      expect(await svc.exited).toBe(0);
      rmSync(w.dir, { recursive: true, force: true });
    }
    expect(catcher.accepted.length).toBe(before);
  });
});

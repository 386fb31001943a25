/**
 * `edumon dlq`: rejected messages land in the DLQ through `edumon run`; `list` shows where they came
 * from and why, never their raw ids; `replay` of a fixed version gets the event stored; `purge`
 * deletes what was listed, only with --yes. Real CLI, broker and DuckDB file.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { familyOf } from '../../domain/contract.ts';
import { topicsOf } from '../../domain/topics.ts';
import { validEvents } from '../fixtures/events.ts';
import { malformed, malformedKinds } from '../fixtures/malformed.ts';
import { runEdumon } from '../helpers/cli.ts';
import { publishRaw, testKafka } from '../helpers/kafka.ts';
import { testEnv } from '../helpers/testEnv.ts';

const RAW_ID = '410802200807151234';
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

interface Row {
  dlq: string;
  rejected_at: string;
  topic: string;
  partition: number;
  offset: string;
  reason: string;
  sha256: string;
  bytes: number;
  payload?: string;
}

describe('edumon dlq', () => {
  const t = testEnv('dlq');
  const admission = topicsOf(t.config).admission;
  const bad = malformedKinds.map((kind, n) => ({ kind, n, value: malformed(kind, n, RAW_ID) }));

  async function list(args: string[] = []): Promise<Row[]> {
    const r = await runEdumon(['dlq', 'list', '--json', ...args], t.env);
    expect(r.code, r.output).toBe(0);
    expect(r.output).not.toContain(RAW_ID);
    return r.stdout.trim() === ''
      ? []
      : r.stdout
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as Row);
  }

  beforeAll(async () => {
    const valid = validEvents(12).map((e) => ({ topic: topicsOf(t.config)[familyOf[e.type]], key: e.event_id, value: Buffer.from(JSON.stringify(e)) }));
    // Topics first: a producer retrying against a topic still being created can deliver twice.
    expect((await runEdumon(['run', '--until-idle'], t.env)).code).toBe(0);
    await publishRaw(testKafka(), [...valid, ...bad.map((b) => ({ topic: admission, key: `bad-${b.n}`, value: b.value }))]);
    const r = await runEdumon(['run', '--until-idle'], t.env);
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toContain(`stored 12 events, 0 duplicates skipped, ${bad.length} rejected`);
  });

  it('list shows every rejected message with origin, reason, hash, size and Shanghai time, and no raw id', async () => {
    const r = await runEdumon(['dlq', 'list'], t.env);
    expect(r.code, r.output).toBe(0);
    expect(r.output).not.toContain(RAW_ID);
    expect(r.stdout).toContain(`(${bad.length} rows)`);
    const rows = await list();
    expect(rows.map((x) => x.sha256).sort()).toEqual(bad.map((b) => sha(b.value)).sort());
    for (const row of rows) {
      const b = bad.find((x) => sha(x.value) === row.sha256)!;
      expect(row).toMatchObject({ topic: admission, bytes: b.value.length });
      expect(row.reason).not.toBe('');
      expect(row.rejected_at).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\+08:00$/);
      expect(row).not.toHaveProperty('payload');
    }
  });

  it('list filters by reason, topic, hash, origin and time', async () => {
    const all = await list();
    expect((await list(['--reason', 'REQUIRED FIELD IS MISSING'])).map((x) => x.sha256)).toEqual([sha(bad.find((b) => b.kind === 'missing-field')!.value)]);
    expect(await list(['--topic', 'some.other.topic'])).toEqual([]);
    const one = all[2]!;
    expect(await list(['--sha', one.sha256.slice(0, 10)])).toEqual([one]);
    expect(await list(['--origin', `${one.topic}:${one.partition}:${one.offset}`])).toEqual([one]);
    expect(await list(['--since', '2999-01-01T00:00:00+08:00'])).toEqual([]);
    expect(await list(['--since', '2020-01-01T00:00:00+08:00'])).toHaveLength(all.length);
  });

  it('list --payload prints the originals only with a warning on stderr', async () => {
    const r = await runEdumon(['dlq', 'list', '--json', '--payload', '--reason', 'missing'], t.env);
    expect(r.code, r.output).toBe(0);
    expect(r.stderr).toMatch(/warning: --payload prints .*raw student and staff ids/);
    expect((JSON.parse(r.stdout) as Row).payload).toContain(RAW_ID);
  });

  it('usage errors exit 2 with the reason; a selection that matches nothing exits 1', async () => {
    for (const args of [
      ['dlq'],
      ['dlq', 'frob'],
      ['dlq', 'replay'],
      ['dlq', 'list', '--yes'],
      ['dlq', 'list', '--since', 'yesterday'],
      ['dlq', 'replay', '--sha', 'xyz'],
      ['dlq', 'purge', '--through', 'abc'],
    ]) {
      const r = await runEdumon(args, t.env);
      expect(r.code, `${args.join(' ')}: ${r.output}`).toBe(2);
      expect(r.stderr).toMatch(/^edumon: dlq: /);
    }
    const fixed = join(t.dir, 'two.json');
    writeFileSync(fixed, '{"a": 1}\n');
    const many = await runEdumon(['dlq', 'replay', '--all', '--from-file', fixed], t.env);
    expect(many.code).toBe(2);
    expect(many.stderr).toContain(`but ${bad.length} match`);
    const none = await runEdumon(['dlq', 'replay', '--sha', 'ffffffffffff'], t.env);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('no message');
    const help = await runEdumon(['dlq', '--help'], t.env);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: edumon dlq list/);
  });

  it('replay --from-file sends the fixed event to its topic, and the next run stores it', async () => {
    const missing = bad.find((b) => b.kind === 'missing-field')!;
    const fixed = { ...(JSON.parse(missing.value.toString()) as Record<string, unknown>), year: 2025 };
    const file = join(t.dir, 'fixed.json');
    writeFileSync(file, `${JSON.stringify(fixed)}\n`);
    const r = await runEdumon(['dlq', 'replay', '--sha', sha(missing.value), '--from-file', file], t.env);
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        `^replayed \\d+:\\d+ \\(${admission.replace('.', '\\.')}:\\d+:\\d+, .*\\) to ${admission.replace('.', '\\.')} partition \\d+ offset \\d+$`,
        'm',
      ),
    );
    expect(r.output).not.toContain(RAW_ID);
    const run = await runEdumon(['run', '--until-idle'], t.env);
    expect(run.code, run.output).toBe(0);
    expect(run.stdout).toContain('stored 1 events, 0 duplicates skipped, 0 rejected');
    const q = await runEdumon(['query', `select count(*) as n from admissions where event_id = 'bad-${missing.n}'`, '-f', 'json'], t.env);
    expect(q.code, q.output).toBe(0);
    expect(Number((JSON.parse(q.stdout) as { n: string }).n)).toBe(1);
  });

  it('replay of an unchanged message is rejected again and comes back to the DLQ', async () => {
    const before = await list();
    const r = await runEdumon(['dlq', 'replay', '--reason', 'not valid json'], t.env);
    expect(r.code, r.output).toBe(0);
    const run = await runEdumon(['run', '--until-idle'], t.env);
    expect(run.stdout).toContain('stored 0 events, 0 duplicates skipped, 1 rejected');
    const after = await list(['--reason', 'not valid json']);
    expect(after).toHaveLength(2);
    expect(after[0]!.sha256).toBe(after[1]!.sha256);
    expect(await list()).toHaveLength(before.length + 1);
  });

  it('purge deletes nothing without --yes, a prefix with --through, and everything listed with --yes', async () => {
    const before = await list();
    const dry = await runEdumon(['dlq', 'purge'], t.env);
    expect(dry.code).toBe(2);
    expect(dry.stderr).toContain(`would delete ${before.length} message(s)`);
    expect(await list()).toEqual(before);

    const first = before[0]!;
    const [p, o] = first.dlq.split(':');
    const some = await runEdumon(['dlq', 'purge', '--through', `${p}:${o}`, '--yes'], t.env);
    expect(some.code, some.output).toBe(0);
    expect(some.stdout).toContain('deleted 1 message(s)');
    expect(await list()).toEqual(before.slice(1));

    const rest = await runEdumon(['dlq', 'purge', '--yes'], t.env);
    expect(rest.code, rest.output).toBe(0);
    expect(rest.stdout).toContain(`deleted ${before.length - 1} message(s)`);
    expect(await list()).toEqual([]);
    const again = await runEdumon(['dlq', 'purge', '--yes'], t.env);
    expect(again.stdout).toContain('nothing to purge');
  });
});

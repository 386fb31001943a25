/** `edumon simulate` as a user runs it: deterministic files, corruption on request, clear errors. */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { families } from '../../domain/topics.ts';
import { decodeBytes } from '../../ingest/decode.ts';
import { runEdumon } from '../helpers/cli.ts';
import { TEST_KEY } from '../helpers/testEnv.ts';

const env = { EDUMON_ENV: 'test', EDUMON_PSEUDONYM_KEY: TEST_KEY };
const files = [...families.map((f) => `${f}.jsonl`), 'truth.json'];
const hashes = (dir: string) =>
  Object.fromEntries(
    files.map((f) => [
      f,
      createHash('sha256')
        .update(readFileSync(join(dir, f)))
        .digest('hex'),
    ]),
  );
const made: string[] = [];
const tmp = () => {
  const dir = mkdtempSync(join(tmpdir(), 'edumon-simcli-'));
  made.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

async function simulateInto(args: string[]): Promise<string> {
  const dir = tmp();
  const r = await runEdumon(['simulate', '--out', dir, ...args], env);
  expect(r.code, r.output).toBe(0);
  return dir;
}

describe('edumon simulate', () => {
  it('writes byte-identical files for the same seed and arguments, and different ones for another seed', async () => {
    const args = ['--seed', '7', '--scale', '0.2'];
    const [a, b, c] = await Promise.all([simulateInto(args), simulateInto(args), simulateInto(['--seed', '8', '--scale', '0.2'])]);
    expect(hashes(a)).toEqual(hashes(b));
    const other = hashes(c);
    for (const f of files) expect(other[f], f).not.toBe(hashes(a)[f]);
  }, 120_000);

  it('with --corrupt mixes in every malformed kind and duplicate deliveries, counted in truth.json', async () => {
    const dir = await simulateInto(['--seed', '3', '--scale', '0.1', '--from', '2025-06-01', '--to', '2025-09-30', '--corrupt', '0.01']);
    const truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')) as {
      corrupt: { malformed: number; by_kind: Record<string, number>; duplicates: number };
    };
    const kinds: Record<string, number> = {};
    let duplicates = 0;
    for (const f of families) {
      const seen = new Set<string>();
      for (const line of readFileSync(join(dir, `${f}.jsonl`), 'utf8')
        .trimEnd()
        .split('\n')) {
        const d = decodeBytes(Buffer.from(line), f);
        if (d.ok) {
          if (seen.has(d.event.event_id)) duplicates++;
          seen.add(d.event.event_id);
          continue;
        }
        const kind = /not valid JSON/.test(d.reason)
          ? 'not-json'
          : /expected a JSON object/.test(d.reason)
            ? 'not-object'
            : /-byte limit/.test(d.reason)
              ? 'over-size'
              : /unknown event type/.test(d.reason)
                ? 'unknown-type'
                : /required field is missing/.test(d.reason)
                  ? 'missing-field'
                  : 'mistyped-field';
        kinds[kind] = (kinds[kind] ?? 0) + 1;
      }
    }
    expect(Object.keys(kinds).sort()).toEqual(['missing-field', 'mistyped-field', 'not-json', 'not-object', 'over-size', 'unknown-type']);
    expect(kinds).toEqual(truth.corrupt.by_kind);
    expect(Object.values(kinds).reduce((a, b) => a + b, 0)).toBe(truth.corrupt.malformed);
    expect(duplicates).toBe(truth.corrupt.duplicates);
    expect(duplicates).toBeGreaterThan(10);
  }, 120_000);

  it('explains itself with --help and rejects bad arguments with a clear message', async () => {
    const help = await runEdumon(['simulate', '--help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--seed N[\s\S]*--scale S[\s\S]*--corrupt RATE[\s\S]*--publish/);
    const noOut = await runEdumon(['simulate'], env);
    expect(noOut.code).toBe(2);
    expect(noOut.output).toMatch(/--out DIR is required/);
    const bad = await runEdumon(['simulate', '--out', tmp(), '--scale', 'huge', '--from', '2025-02-30'], env);
    expect(bad.code).toBe(2);
    expect(bad.output).toMatch(/--scale must be a number/);
    const badDate = await runEdumon(['simulate', '--out', tmp(), '--from', '2025-02-30'], env);
    expect(badDate.output).toMatch(/--from must be a date YYYY-MM-DD, got '2025-02-30'/);
  }, 60_000);
});

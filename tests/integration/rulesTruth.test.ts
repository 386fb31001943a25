/**
 * The rules against the simulator's ground truth: a simulated year is published to the real
 * broker, stored by `edumon run --until-idle`, and `edumon rules run --json` as of truth.json's
 * `as_of` must find every injected violation and nothing else (precision and recall 1.0), on a
 * stopped warehouse and, for one rule, through the running service.
 *
 * At a quarter of the city (SCALE): 360,000 events instead of 1,040,000, with a violation of every
 * rule of the catalogue in the truth still (asserted below, so a change to the simulator cannot
 * quietly leave a rule untested). The whole city's truth is checked by tests/integration/
 * simulateTruth.test.ts (an independent SQL evaluation) and replayed by `npm run bench:rules-ingest`.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRules } from '../../alerts/rules.ts';
import { identityOf, type ViolationKey } from '../../domain/violation.ts';
import { serviceFileOf } from '../../service/client.ts';
import { runEdumon, spawnEdumon, waitFor } from '../helpers/cli.ts';
import { testEnv } from '../helpers/testEnv.ts';

const linesOf = (stdout: string) =>
  stdout.trim() === ''
    ? []
    : stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as ViolationKey & Record<string, unknown>);

/** Per rule: found, expected, and what is extra or missing (empty when they agree). */
function differences(found: ViolationKey[], expected: ViolationKey[]): string[] {
  const got = new Set(found.map(identityOf));
  const want = new Set(expected.map(identityOf));
  const rules = [...new Set([...found, ...expected].map((v) => v.rule))].sort();
  return rules.flatMap((rule) => {
    const mine = (s: Set<string>) => [...s].filter((k) => (JSON.parse(k) as string[])[0] === rule);
    const extra = mine(got).filter((k) => !want.has(k));
    const missing = mine(want).filter((k) => !got.has(k));
    if (!extra.length && !missing.length) return [];
    return [`${rule}: found ${mine(got).length}, truth ${mine(want).length}; extra ${extra.slice(0, 5).join(' ')}; missing ${missing.slice(0, 5).join(' ')}`];
  });
}

/** A quarter of the city: the smallest scale whose truth holds a violation of every rule (0.1 has no HS-TUITION). */
const SCALE = '0.25';

describe('rules against the simulator truth', () => {
  const t = testEnv('rules-truth');
  const out = join(t.dir, 'sim');
  afterAll(() => rmSync(t.dir, { recursive: true, force: true }));

  it(`reproduces truth.json of a scale-${SCALE} year exactly (precision and recall 1.0), every rule in it`, { timeout: 600_000 }, async () => {
    const sim = await runEdumon(['simulate', '--seed', '1', '--scale', SCALE, '--out', out, '--publish'], t.env);
    expect(sim.code, sim.output).toBe(0);
    const run = await runEdumon(['run', '--until-idle'], t.env);
    expect(run.code, run.output).toBe(0);
    const truth = JSON.parse(readFileSync(join(out, 'truth.json'), 'utf8')) as { as_of: string; violations: ViolationKey[] };
    // DQ-STALE-FEED judges a feed quiet as of the moment asked; the simulated outage is over by then.
    const untested = loadRules()
      .map((r) => r.id)
      .filter((id) => id !== 'DQ-STALE-FEED' && !truth.violations.some((v) => v.rule === id));
    expect(untested, `rules without a violation in the scale-${SCALE} truth`).toEqual([]);

    const started = Date.now();
    const r = await runEdumon(['rules', 'run', '--json', '--at', truth.as_of], t.env);
    const seconds = (Date.now() - started) / 1000;
    expect(r.code, r.stderr).toBe(0);
    const found = linesOf(r.stdout);
    for (const v of found) expect(Object.keys(v)).toEqual(['rule', 'school_id', 'region_code', 'period', 'subject', 'observed', 'threshold', 'details']);

    const got = new Set(found.map(identityOf));
    const want = new Set(truth.violations.map(identityOf));
    const hits = [...got].filter((k) => want.has(k)).length;
    const precision = got.size ? hits / got.size : 1;
    const recall = want.size ? hits / want.size : 1;
    console.log(
      `rules vs truth: ${got.size} found, ${want.size} expected, precision ${precision}, recall ${recall}; CLI sweep ${seconds.toFixed(1)} s (${r.stderr.trim()})`,
    );
    expect(differences(found, truth.violations)).toEqual([]);
    expect(found.length, 'one row per violation identity').toBe(got.size);
    expect(precision).toBe(1);
    expect(recall).toBe(1);

    // The same rule through the running service gives the same rows.
    const svc = spawnEdumon(['run'], t.env);
    try {
      await waitFor(() => existsSync(serviceFileOf(t.config.warehouse)), 60_000, 'the service file');
      const viaService = await runEdumon(['rules', 'run', '--json', '--rule', 'ADM-OVER-QUOTA', '--at', truth.as_of, '--dry-run'], t.env);
      expect(viaService.code, viaService.stderr).toBe(0);
      expect(viaService.stdout).toBe(
        found
          .filter((v) => v.rule === 'ADM-OVER-QUOTA')
          .map((v) => `${JSON.stringify(v)}\n`)
          .join(''),
      );
    } finally {
      svc.child.kill('SIGTERM');
      await svc.exited;
    }
  });
});

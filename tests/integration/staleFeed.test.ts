/**
 * The payroll feed stops for a simulated month: DQ-STALE-FEED opens for it (saying how far behind it
 * is) and no WAGE-MISSING or INSURANCE-MISSING opens while it is stopped (those rules judge only as
 * far as the payroll feed's last report explains its quiet: until the next month's wages fall due,
 * which its report has not reached, and not past the feed's 35 quiet days); when it resumes, the real gaps (truth.json's) open and the
 * stale-feed alert resolves. A simulated year is stored through the real sink into a real
 * warehouse, day by day, and the rules are applied after each day as the service's sweeps would.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAlertStates } from '../../alerts/alertStore.ts';
import { applyRules } from '../../alerts/applyRules.ts';
import type { AlertTransition } from '../../alerts/evaluate.ts';
import { ruleById } from '../../alerts/rules.ts';
import { loadConfig } from '../../core/config.ts';
import { connect, openWarehouse } from '../../core/db.ts';
import type { ContractEvent } from '../../domain/contract.ts';
import { families } from '../../domain/topics.ts';
import type { ViolationKey } from '../../domain/violation.ts';
import { decodeObject } from '../../ingest/decode.ts';
import { createPseudonymizer, pseudonymizeEvent } from '../../ingest/pseudonymize.ts';
import { migrate } from '../../pipeline/migrate.ts';
import { Sink } from '../../pipeline/sink.ts';
import { defaultOptions } from '../../simulator/options.ts';
import { simulate } from '../../simulator/simulate.ts';
import { TEST_KEY } from '../helpers/testEnv.ts';

const pseudonym = createPseudonymizer(TEST_KEY);
const config = loadConfig({ env: { EDUMON_ENV: 'test' } });
const RULES = ['WAGE-MISSING', 'INSURANCE-MISSING', 'DQ-STALE-FEED'].map(ruleById);
const PAY_RULES = new Set(['WAGE-MISSING', 'INSURANCE-MISSING']);
/** The payroll feed sends nothing that occurred in [STOP, RESUME) until RESUME, then all of it. */
const STOP = '2025-03-20T00:00:00+08:00';
const RESUME = '2025-04-30T00:00:00+08:00';
const FIRST_DAY = '2025-03-01';
const LAST_DAY = '2025-05-15';

let dir: string;
let instance: DuckDBInstance;
let ingest: DuckDBConnection;
let rules: DuckDBConnection;
let truth: { violations: ViolationKey[] };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'edumon-stale-'));
  simulate({ options: { ...defaultOptions, scale: 0.1, to: '2025-06-30' }, outDir: dir, pseudonymize: pseudonym, admissionTopic: 'edu.admission' });
  truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8'));
  instance = await openWarehouse(join(dir, 'edumon.duckdb'));
  ingest = await connect(instance);
  rules = await connect(instance);
  await migrate(ingest);
}, 120_000);

afterAll(() => {
  ingest?.closeSync();
  rules?.closeSync();
  instance?.closeSync();
  rmSync(dir, { recursive: true, force: true });
});

/** Every simulated event, by family, in occurred_at order (the simulator writes each file sorted). */
function eventsByFamily(): Map<string, ContractEvent[]> {
  const out = new Map<string, ContractEvent[]>();
  for (const f of families) {
    const events: ContractEvent[] = [];
    for (const line of readFileSync(join(dir, `${f}.jsonl`), 'utf8').split('\n')) {
      if (!line) continue;
      const d = decodeObject(JSON.parse(line), f);
      if (!d.ok) throw new Error(d.reason);
      events.push(d.event);
    }
    out.set(f, events);
  }
  return out;
}

const isPayroll = (e: ContractEvent) => e.type === 'wage.paid' || e.type === 'social_insurance.paid';
const shanghaiNoon = (day: string) => `${day}T12:00:00+08:00`;
const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

describe('a stopped payroll feed', () => {
  it('raises DQ-STALE-FEED for payroll instead of wage and insurance alerts, and the real gaps once it resumes', { timeout: 300_000 }, async () => {
    const sink = await Sink.open(ingest);
    const byFamily = eventsByFamily();
    const next = new Map<string, number>(families.map((f) => [f, 0]));
    const withheld: ContractEvent[] = [];
    const offsets = new Map<string, bigint>();
    /** Stores every event that occurred by `until` (payroll's from the stop held back until the resume). */
    const storeUntil = async (until: string) => {
      const batches = [];
      for (const f of families) {
        const events = byFamily.get(f)!;
        let i = next.get(f)!;
        const batch: ContractEvent[] = [];
        for (; i < events.length && Date.parse(events[i]!.occurred_at) <= Date.parse(until); i++) {
          const e = events[i]!;
          const stopped = isPayroll(e) && Date.parse(e.occurred_at) >= Date.parse(STOP) && Date.parse(until) < Date.parse(RESUME);
          (stopped ? withheld : batch).push(e);
        }
        next.set(f, i);
        if (f === 'funding' && Date.parse(until) >= Date.parse(RESUME)) batch.push(...withheld.splice(0));
        const offset = (offsets.get(f) ?? 0n) + BigInt(batch.length);
        offsets.set(f, offset);
        batches.push({ topic: `edu.${f}`, partition: 0, nextOffset: offset, events: batch.map((e) => pseudonymizeEvent(e, pseudonym)), rejections: [] });
      }
      await sink.write(batches);
    };

    const opened: Array<{ day: string; t: AlertTransition }> = [];
    const staleSeen: Array<{ day: string; observed: string | null; period: string }> = [];
    let stop = '';
    for (let day = FIRST_DAY; day <= LAST_DAY; day = nextDay(day)) {
      const at = shanghaiNoon(day);
      await storeUntil(at);
      const sweep = await applyRules(rules, RULES, { config, asOf: at });
      for (const r of sweep.runs) expect(r.error, r.rule).toBeUndefined();
      for (const t of sweep.transitions) if (t.kind !== 'resolve') opened.push({ day, t });
      const stale = (await loadAlertStates(rules, 'DQ-STALE-FEED')).filter((a) => a.status === 'open');
      for (const a of stale)
        staleSeen.push({ day, observed: sweep.violations.find((v) => v.rule === 'DQ-STALE-FEED')?.observed?.toString() ?? null, period: a.period });
      if (day === '2025-04-29') stop = JSON.stringify(sweep.runs.filter((r) => PAY_RULES.has(r.rule)).map((r) => [r.rule, r.effectiveAsOf, r.heldBy]));
    }

    // No wage or insurance alert opened while the feed was stopped.
    const duringStop = opened.filter((o) => PAY_RULES.has(o.t.alert.rule) && o.day >= STOP.slice(0, 10) && o.day < RESUME.slice(0, 10));
    expect(duringStop.map((o) => [o.day, o.t.alert.rule, o.t.alert.period])).toEqual([]);
    // While stopped, the payroll rules were held back by the payroll feed's watermark: its last report
    // (February's wages) explains its quiet only until March's wages fall due (the end of 10 April).
    expect(stop).toContain('payroll');
    for (const [, effective] of JSON.parse(stop) as [string, string][]) expect(Date.parse(effective)).toBeLessThan(Date.parse('2025-04-11T00:00:00+08:00'));
    // DQ-STALE-FEED opened for payroll once it had been quiet 35 days, saying how many days behind it was.
    const payrollStale = staleSeen.filter((s) => s.day < '2025-04-30');
    expect(payrollStale.length).toBeGreaterThan(0);
    expect(new Set(payrollStale.map((s) => s.period)).size).toBe(1);
    for (const s of payrollStale) expect(Number(s.observed)).toBeGreaterThanOrEqual(35);
    const staleOpened = opened.filter((o) => o.t.alert.rule === 'DQ-STALE-FEED');
    expect(staleOpened.map((o) => o.t.alert.subject)).toEqual(['payroll']);
    expect(staleOpened[0]!.t.alert.details).toMatchObject({ unit: 'days' });
    // ... and resolved when the feed resumed.
    expect(staleSeen.filter((s) => s.day >= '2025-04-30')).toEqual([]);

    // After the resume, the open wage and insurance alerts are the gaps truth.json lists for the months
    // due by the last day (April: due 10 May; the resumed feed, quiet since, is complete past it).
    const identity = (k: Pick<ViolationKey, 'rule' | 'school_id' | 'period' | 'subject'>) => JSON.stringify([k.rule, k.school_id, k.period, k.subject]);
    const open = new Set<string>();
    for (const rule of PAY_RULES) for (const a of await loadAlertStates(rules, rule)) if (a.status === 'open') open.add(identity(a));
    const want = new Set(truth.violations.filter((v) => PAY_RULES.has(v.rule) && v.period <= '2025-04').map(identity));
    const march = [...want].filter((k) => k.includes('"2025-03"'));
    expect(march.length).toBeGreaterThan(0);
    expect([...open].sort()).toEqual([...want].sort());
    // March's gaps opened only once the feed had resumed.
    const marchOpened = opened.filter((o) => PAY_RULES.has(o.t.alert.rule) && o.t.alert.period === '2025-03');
    expect(marchOpened.length).toBe(march.length);
    for (const o of marchOpened) expect(o.day >= RESUME.slice(0, 10)).toBe(true);
    console.log(
      `stale payroll: opened ${staleOpened[0]!.day}, ${payrollStale.at(-1)!.observed} days behind on ${payrollStale.at(-1)!.day}; ` +
        `wage/insurance alerts opened during the stop: ${duringStop.length}; March gaps opened after the resume: ${marchOpened.length}`,
    );
  });
});

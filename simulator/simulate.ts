/**
 * `edumon simulate`: builds the world, streams every school's events through the writer, computes
 * the truth, and writes DIR/{registry,admission,enrollment,funding}.jsonl and DIR/truth.json.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Family } from '../domain/topics.ts';
import type { Pseudonymize } from '../ingest/pseudonymize.ts';
import { buildWorld } from './buildWorld.ts';
import { computeTruth } from './computeTruth.ts';
import { checkOptions, type SimulateOptions } from './options.ts';
import { staffOf } from './staff.ts';
import { staleFeedTracker } from './staleFeed.ts';
import { timestamp } from './time.ts';
import { admissionEvents } from './timeline/admission.ts';
import { rosterEvents } from './timeline/enrollment.ts';
import { fundEvents, payrollEvents } from './timeline/funding.ts';
import { populationEvents, researcherEvents, schoolEvents, staffEvents, townshipEvents } from './timeline/registry.ts';
import { unknownSchoolEvents } from './timeline/unknownSchools.ts';
import { Truth } from './truth.ts';
import { EventWriter, type WriteReport, writeTruth } from './writeOut.ts';

/** Every rule id of the catalogue (docs/rules.md) the truth can hold (DQ-RULE-FAILED cannot come from data). */
export const simulatedRules = [
  'ADM-CROSS-REGION',
  'ADM-OVER-QUOTA',
  'ADM-NO-PLAN',
  'ADM-OUT-OF-WINDOW',
  'ADM-DUPLICATE',
  'ADM-OFF-PLATFORM',
  'ADM-CLASS-SIZE',
  'ADM-SCHOOL-SIZE',
  'WAGE-MISSING',
  'WAGE-SHORT',
  'WAGE-LATE',
  'INSURANCE-MISSING',
  'STAFF-PUBLIC-AT-PRIVATE',
  'STAFF-POACHED',
  'KG-GER',
  'KG-PUHUI',
  'KG-PUBLIC-SHARE',
  'KG-TEACHER-RATIO',
  'KG-TOWNSHIP-CENTRAL',
  'KG-FACILITY',
  'KG-NEW-PUBLIC-PLACES',
  'KG-RESEARCHER',
  'KG-UNLICENSED',
  'HS-GER',
  'HS-FUNDS',
  'HS-TUITION',
  'HS-TEACHERS',
  'DQ-UNKNOWN-SCHOOL',
  'DQ-STALE-FEED',
] as const;

export interface SimulateReport extends WriteReport {
  dir: string;
  violations: number;
  byRule: Record<string, number>;
  schools: number;
}

export function simulate(opts: {
  options: SimulateOptions;
  outDir: string;
  pseudonymize: Pseudonymize;
  /** The admission topic's name (DQ-STALE-FEED names it). */
  admissionTopic: string;
  onProgress?: (done: number, total: number, events: number) => void;
  /** Called as each output file starts being written. */
  onWrite?: (family: Family) => void;
}): SimulateReport {
  const { options, outDir } = opts;
  const span = checkOptions(options);
  mkdirSync(outDir, { recursive: true });
  const world = buildWorld(options, span);
  const truth = new Truth(opts.pseudonymize);
  const writer = new EventWriter(outDir);
  const emit = writer.add.bind(writer);
  townshipEvents(world, emit);
  populationEvents(world, emit);
  researcherEvents(world, emit);
  admissionEvents(world, emit);
  unknownSchoolEvents(world, emit, truth);
  world.schools.forEach((school, i) => {
    schoolEvents(world, school, emit);
    const members = staffOf(world, school);
    staffEvents(world, school, members, emit);
    rosterEvents(world, school, emit);
    payrollEvents(world, school, members, emit, truth);
    fundEvents(world, school, emit);
    if (i % 200 === 199) opts.onProgress?.(i + 1, world.schools.length, writer.count);
  });
  opts.onProgress?.(world.schools.length, world.schools.length, writer.count);
  computeTruth(world, truth);
  const stale = staleFeedTracker(options.season, span.asOf, truth);
  const report = writer.finish({
    seed: options.seed,
    corrupt: options.corrupt,
    onValid: (f: Family, at: string) => f === 'admission' && stale.see(at),
    ...(opts.onWrite ? { onFamily: opts.onWrite } : {}),
  });
  stale.finish();
  const violations = truth.list();
  const byRule: Record<string, number> = Object.fromEntries(simulatedRules.map((r) => [r, 0]));
  for (const v of violations) byRule[v.rule] = (byRule[v.rule] ?? 0) + 1;
  writeTruth(
    join(outDir, 'truth.json'),
    {
      seed: options.seed,
      scale: options.scale,
      from: options.from,
      to: options.to,
      as_of: timestamp(span.asOf),
      season: options.season,
      exempt_admission_types: options.exemptAdmissionTypes,
      rates: options.rates,
      rules: simulatedRules,
      not_simulated: { 'DQ-RULE-FAILED': 'a runtime condition of the rule engine (SQL error or timeout); no event stream can cause it' },
      events: report.events,
      events_by_type: report.byType,
      corrupt: report.corrupt,
      violations_by_rule: byRule,
    },
    violations,
  );
  return { ...report, dir: outDir, violations: violations.length, byRule, schools: world.schools.length };
}

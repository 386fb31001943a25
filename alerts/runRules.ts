/**
 * Runs rules as of a moment on a DuckDB connection, inside a read-only transaction, with the
 * configured thresholds. A failing rule is reported in its run record and never stops the others.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Config } from '../core/config.ts';
import { EdumonError, messageOf } from '../core/errors.ts';
import { ruleParams } from './ruleParams.ts';
import { loadRules, type Rule, ruleById } from './rules.ts';

/** One violation; (rule, school_id, region_code, period, subject) is its identity. */
export interface Violation {
  rule: string;
  school_id: string | null;
  region_code: string | null;
  period: string;
  subject: string | null;
  observed: number | null;
  threshold: number | null;
  details: Record<string, unknown>;
}

export interface RuleRun {
  rule: string;
  rows: number;
  ms: number;
  error?: string;
}

export interface RulesResult {
  /** The moment evaluated, as DuckDB read it (ISO 8601, UTC). */
  asOf: string;
  violations: Violation[];
  runs: RuleRun[];
}

/** Evaluates `rules` as of `asOf` (any timestamp DuckDB reads as TIMESTAMPTZ; without an offset, Asia/Shanghai). */
export async function runRules(conn: DuckDBConnection, rules: Rule[], opts: { config: Pick<Config, 'rules' | 'kafka'>; asOf: string }): Promise<RulesResult> {
  const asOf = await normaliseAsOf(conn, opts.asOf);
  const all = ruleParams(opts.config, asOf);
  const violations: Violation[] = [];
  const runs: RuleRun[] = [];
  await conn.run('begin transaction read only');
  try {
    for (const rule of rules) {
      const started = performance.now();
      try {
        const values = Object.fromEntries(rule.params.map((p) => [p, all[p]]));
        const rows = (await conn.runAndReadAll(rule.sql, values)).getRowObjectsJson();
        // Stable output: the SQL's row order is not.
        violations.push(...rows.map(toViolation).sort((a, b) => compareIdentity(a, b)));
        runs.push({ rule: rule.id, rows: rows.length, ms: Math.round(performance.now() - started) });
      } catch (err) {
        runs.push({ rule: rule.id, rows: 0, ms: Math.round(performance.now() - started), error: `${rule.file}: ${messageOf(err)}` });
      }
    }
  } finally {
    await conn.run('rollback').catch(() => undefined);
  }
  return { asOf, violations, runs };
}

/** The request both the CLI and the service's /rules/run answer: one rule (by id) or all, as of `at`. */
export interface RulesRequest {
  rule?: string;
  at: string;
}

/** Runs the requested rule(s); an unknown rule id fails before anything runs. */
export function runRulesRequest(conn: DuckDBConnection, config: Pick<Config, 'rules' | 'kafka'>, req: RulesRequest): Promise<RulesResult> {
  const rules = req.rule ? [ruleById(req.rule)] : loadRules();
  return runRules(conn, rules, { config, asOf: req.at });
}

async function normaliseAsOf(conn: DuckDBConnection, at: string): Promise<string> {
  try {
    const reader = await conn.runAndReadAll(`select strftime(timezone('UTC', $at::timestamptz), '%Y-%m-%dT%H:%M:%SZ') as t`, { at });
    return String(reader.getRowObjectsJson()[0]!.t);
  } catch {
    throw new EdumonError(`not a timestamp: '${at}' (expected e.g. 2025-12-31T23:59:59+08:00)`, { exitCode: 2 });
  }
}

/** Orders violations by (school_id, region_code, period, subject), nulls first. */
function compareIdentity(a: Violation, b: Violation): number {
  for (const k of ['school_id', 'region_code', 'period', 'subject'] as const) {
    const x = a[k] ?? '';
    const y = b[k] ?? '';
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

function toViolation(row: Record<string, unknown>): Violation {
  const details = row.details;
  return {
    rule: String(row.rule),
    school_id: str(row.school_id),
    region_code: str(row.region_code),
    period: String(row.period),
    subject: str(row.subject),
    observed: num(row.observed),
    threshold: num(row.threshold),
    details: (typeof details === 'string' ? JSON.parse(details) : (details ?? {})) as Record<string, unknown>,
  };
}

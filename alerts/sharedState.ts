/**
 * As-of state shared by the rules of one sweep. Many rules call the same table macro with the
 * same parameters (`asof_school_students($as_of::timestamptz)` in five rules). A macro marked
 * `-- @shared` on the line before its `create or replace macro` in sql/views/ is computed once per
 * sweep, into a temp table, when two or more of the sweep's rules call it with the same text;
 * those rules then read the temp table in its place. The rule files stay plain SQL that runs on
 * its own (`edumon query` with the same parameters gives the same rows).
 *
 * Only calls whose arguments are all rule parameters (`$name` or `$name::type`) qualify: their
 * result is fixed for the sweep. This module is text only; runRules does the computing.
 */
import { sqlFiles, sqlText } from '../core/db.ts';
import { sqlBody } from './rules.ts';

const ARG = String.raw`\$[a-z_][a-z0-9_]*(?:::[a-z]+(?:\(\s*\d+(?:\s*,\s*\d+)?\s*\))?)?`;
const CALL = new RegExp(String.raw`\b(asof_[a-z0-9_]+)\(\s*${ARG}(?:\s*,\s*${ARG})*\s*\)`, 'g');
const MARKED = /^-- @shared\b[^\n]*\ncreate or replace macro ([a-z0-9_]+)/gm;

/** One shared computation: the exact call text, the temp table it goes into, the rules that read it. */
export interface SharedCall {
  macro: string;
  call: string;
  table: string;
  rules: string[];
}

/** The macros sql/views/ marks `-- @shared`. */
export function markedMacros(viewTexts: readonly string[] = sqlFiles('views').map(sqlText)): Set<string> {
  return new Set(viewTexts.flatMap((text) => [...text.matchAll(MARKED)].map((m) => m[1]!)));
}

/** The parameter-only as-of macro calls in a rule's SQL (comments ignored), each text once. */
export function macroCalls(sql: string): { macro: string; call: string }[] {
  const seen = new Map<string, string>();
  for (const m of sqlBody(sql).matchAll(CALL)) seen.set(m[0], m[1]!);
  return [...seen].map(([call, macro]) => ({ macro, call }));
}

/**
 * The calls worth computing once for these rules: of a marked macro, made with the same text by
 * at least two rules. Ordered by first use, so a sweep computes each just before it is needed.
 */
export function sharedCalls(rules: readonly { id: string; sql: string }[], marked: ReadonlySet<string>): SharedCall[] {
  const byCall = new Map<string, SharedCall>();
  for (const rule of rules) {
    for (const { macro, call } of macroCalls(rule.sql)) {
      if (!marked.has(macro)) continue;
      const shared = byCall.get(call) ?? { macro, call, table: `sweep_${byCall.size + 1}_${macro}`, rules: [] };
      shared.rules.push(rule.id);
      byCall.set(call, shared);
    }
  }
  return [...byCall.values()].filter((s) => s.rules.length >= 2);
}

/** The rule's SQL reading each given shared call's temp table instead of calling the macro. */
export function readShared(sql: string, computed: readonly SharedCall[]): string {
  return computed.reduce((text, s) => text.replace(new RegExp(String.raw`\b${escapeRegExp(s.call)}`, 'g'), s.table), sql);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Each figure quotes the clause that governs its scope, and the repository carries what it quotes
 * (issue 22): every passage a rule (`-- policy:`) or a digest figure quotes is printed in
 * docs/policy.md under the clause it names, and each figure's clause is from the plan of the
 * schools it counts: the preschool plan (学前) for kindergartens, the high-school plan (县中) for
 * high schools. That the wage and insurance figures count kindergarten staff only is checked on
 * data in tests/integration/digestFigures.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { figureDefs, KG_INSURANCE_CLAUSE, KG_WAGE_CLAUSE } from '../../alerts/digest/figureDefs.ts';
import type { FigureId } from '../../alerts/digest/model.ts';
import { loadRules, ruleById } from '../../alerts/rules.ts';
import { loadConfig } from '../../core/config.ts';

const POLICY = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'policy.md'), 'utf8');
const defs = figureDefs(loadConfig({ env: {} }).rules);

/** docs/policy.md's text of one clause (`学前 6`), from its heading to the next. */
function clauseText(clause: string): string | undefined {
  const at = POLICY.indexOf(`\n### ${clause}\n`);
  if (at < 0) return undefined;
  const next = POLICY.indexOf('\n#', at + 5);
  return POLICY.slice(at, next < 0 ? undefined : next);
}

/** The clauses a policy quotes and their passages (a quote's `……` separates passages). */
function quoted(policy: string): Array<{ clause: string; passages: string[] }> {
  return [...policy.matchAll(/(学前|县中) ([^\s：]+)：「([^」]+)」/gu)].map((m) => ({
    clause: `${m[1]} ${m[2]}`,
    passages: m[3]!.split('……').filter(Boolean),
  }));
}

/** The schools each figure counts: what the plans' clauses are about. */
const LEVEL: Record<FigureId, 'kindergarten' | 'high_school'> = {
  kgGer: 'kindergarten',
  kgPuhui: 'kindergarten',
  kgPublicShare: 'kindergarten',
  kgTeacherRatio: 'kindergarten',
  newPublicPlaces: 'kindergarten',
  hsGer: 'high_school',
  hsFunds: 'high_school',
  oversizeClasses: 'high_school',
  oversizeSchools: 'high_school',
  wageGapStaff: 'kindergarten',
  wageGapMonths: 'kindergarten',
  wageGapYuan: 'kindergarten',
  insuranceGapStaff: 'kindergarten',
  insuranceGapMonths: 'kindergarten',
  insuranceGapYuan: 'kindergarten',
};
const PLAN = { kindergarten: '学前', high_school: '县中' } as const;

describe('the clauses edumon quotes', () => {
  it.each(loadRules().filter((r) => !r.policy.startsWith('none:')))('$id quotes only passages docs/policy.md prints under the clause it names', (rule) => {
    const quotes = quoted(rule.policy);
    expect(quotes.length).toBeGreaterThan(0);
    for (const q of quotes) {
      const text = clauseText(q.clause);
      expect(text, `${q.clause} in docs/policy.md`).toBeDefined();
      for (const p of q.passages) expect(text, `${rule.id}: ${q.clause}「${p}」`).toContain(p);
    }
  });

  it.each(defs)('the figure $zh quotes a clause of the plan of the schools it counts, printed in docs/policy.md', (def) => {
    const quotes = quoted(def.source);
    expect(quotes.length, def.source).toBeGreaterThan(0);
    for (const q of quotes) {
      expect(q.clause.startsWith(PLAN[LEVEL[def.id]]), `${def.id} counts ${LEVEL[def.id]} but quotes ${q.clause}`).toBe(true);
      for (const p of q.passages) expect(clauseText(q.clause), `${def.id}: ${q.clause}「${p}」`).toContain(p);
    }
  });

  it('has the wage and insurance figures say they count kindergarten staff only, and quote the words their rules quote for them', () => {
    for (const def of defs.filter((d) => d.id.startsWith('wage') || d.id.startsWith('insurance'))) {
      expect(def.zh.startsWith('幼儿园'), def.zh).toBe(true);
      expect(def.covers?.zh).toContain('只计各类幼儿园');
      expect(def.source).toBe(def.id.startsWith('wage') ? KG_WAGE_CLAUSE : KG_INSURANCE_CLAUSE);
    }
    // The rules judge staff of every school: they quote 学前 6 for kindergartens and the high-school plan for high schools.
    for (const id of ['WAGE-MISSING', 'WAGE-SHORT', 'WAGE-LATE'])
      expect(ruleById(id).policy.startsWith(`${KG_WAGE_CLAUSE}（幼儿园教职工）；县中 四（二）`), id).toBe(true);
    expect(ruleById('INSURANCE-MISSING').policy.startsWith(`${KG_INSURANCE_CLAUSE}（幼儿园教职工）；县中 四（二）`)).toBe(true);
  });
});

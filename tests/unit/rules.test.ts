/** The rule catalogue: every rule of the catalogue (docs/rules.md) has a file with a valid header, and bad headers fail naming the file. */
import { describe, expect, it } from 'vitest';
import { loadRules, parseRule, ruleById } from '../../alerts/rules.ts';
import { EdumonError } from '../../core/errors.ts';
import { simulatedRules } from '../../simulator/simulate.ts';

const header = (fields: Record<string, string>) =>
  Object.entries(fields)
    .map(([k, v]) => `-- ${k}: ${v}`)
    .join('\n');
const good = {
  rule: 'X-ONE',
  title: '测试 / A test',
  severity: 'warning',
  cadence: 'daily',
  feeds: 'registry, enrollment',
  params: 'as_of, max_class_size',
  policy: '县中 17：「新入学年级班额不得超过55人。」',
  measure: '班额 / class size',
  unit: '人 / students',
  comparison: '超过 / above',
  subject: '班级 {} / class {}',
};
const body = `\n-- A test rule.\nselect 'X-ONE' as rule where $as_of::timestamptz is not null and $max_class_size::integer > 0;\n`;

function refusal(text: string): string {
  try {
    parseRule('sql/rules/X-ONE.sql', text);
  } catch (err) {
    if (err instanceof EdumonError) return err.message;
    throw err;
  }
  throw new Error('expected parseRule to refuse');
}

describe('rule catalogue', () => {
  it('has one SQL file with a valid header for every rule of the catalogue', () => {
    const rules = loadRules();
    // The simulator's list of rules it plants violations for is the catalogue (DQ-RULE-FAILED, raised
    // by the runner, has no file): a rule file without simulated truth, or the reverse, fails here.
    expect(rules.map((r) => r.id).sort()).toEqual([...simulatedRules].sort());
    for (const r of rules) {
      expect(r.title, r.id).toMatch(/\S \/ \S/);
      expect(r.params, r.id).toContain('as_of');
      expect(r.sql, r.id).not.toMatch(/\bnow\(\)|current_timestamp|current_date/i);
    }
    expect(ruleById('ADM-OVER-QUOTA')).toMatchObject({ severity: 'critical', cadence: 'season' });
  });

  it('parses a header', () => {
    expect(parseRule('sql/rules/X-ONE.sql', header(good) + body)).toMatchObject({
      id: 'X-ONE',
      title: '测试 / A test',
      severity: 'warning',
      cadence: 'daily',
      feeds: ['registry', 'enrollment'],
      capped: true,
      params: ['as_of', 'max_class_size'],
    });
    expect(parseRule('sql/rules/X-ONE.sql', header({ ...good, feeds: 'payroll (uncapped)' }) + body)).toMatchObject({ feeds: ['payroll'], capped: false });
  });

  it.each([
    [{ ...good, owner: 'me' }, /X-ONE\.sql: unknown header field 'owner'/],
    [{ rule: 'X-ONE', title: 't / t', cadence: 'daily', params: 'as_of, max_class_size' }, /X-ONE\.sql: missing header field\(s\): severity/],
    [{ ...good, rule: 'X-TWO' }, /does not match the file name/],
    [{ ...good, severity: 'urgent' }, /severity 'urgent'/],
    [{ ...good, cadence: 'weekly' }, /cadence 'weekly'/],
    [{ ...good, params: 'as_of, max_class_size, colour' }, /unknown parameter\(s\) colour/],
    [{ ...good, params: 'as_of' }, /undeclared parameter\(s\) max_class_size/],
    [{ ...good, feeds: 'registry, wages' }, /X-ONE\.sql: unknown feed\(s\) wages \(known: registry, admission, enrollment, payroll, funds\)/],
    [{ ...good, feeds: '' }, /X-ONE\.sql: missing header field\(s\): feeds/],
  ])('refuses a bad header, naming the file (%#)', (fields, why) => {
    expect(refusal(header(fields) + body)).toMatch(why);
  });

  it('refuses a declared parameter the SQL does not use', () => {
    expect(refusal(header({ ...good, params: 'as_of, max_class_size, grace_days' }) + body)).toMatch(/grace_days are not used/);
  });

  it("names in every header the plan clause the rule enforces, in the plan's own words, or says why none", () => {
    for (const r of loadRules()) {
      // Chinese first: a data-health rule's reason is read as 无（数据质量规则）：<中文>.
      if (r.id.startsWith('DQ-')) expect(r.policy, r.id).toMatch(/^none: \p{Script=Han}.* \/ [A-Z]/u);
      else expect(r.policy, r.id).toMatch(/^(学前|县中) [一二三四五六七八九十\d]+：「[^」]+」/);
      expect(r.detects, r.id).not.toBe('');
    }
    expect(ruleById('ADM-OVER-QUOTA').policy).toContain('超计划招生');
  });

  it.each([
    [{ ...good, policy: undefined }, /X-ONE\.sql: missing header field\(s\): policy/],
    [{ ...good, policy: '县中 17' }, /X-ONE\.sql: policy '县中 17' quotes no plan clause/],
    [{ ...good, policy: 'no clause' }, /quotes no plan clause/],
  ])('refuses a rule without the policy clause it enforces, naming the file (%#)', (fields, why) => {
    const { policy, ...rest } = fields;
    expect(refusal(header(policy === undefined ? rest : { ...rest, policy }) + body)).toMatch(why);
  });

  it.each([
    ['measure', /X-ONE\.sql: missing header field\(s\): measure/],
    ['unit', /X-ONE\.sql: missing header field\(s\): unit/],
    ['comparison', /X-ONE\.sql: missing header field\(s\): comparison/],
    ['subject', /X-ONE\.sql: missing header field\(s\): subject/],
  ])('refuses a rule that does not say how to read its result: no %s, naming the file and the field', (field, why) => {
    const { [field as keyof typeof good]: _left, ...rest } = good;
    expect(refusal(header(rest) + body)).toMatch(why);
  });

  it.each([
    [{ ...good, unit: '人' }, /X-ONE\.sql: unit '人' is not <中文> \/ <English>/],
    [{ ...good, unit: 'students / 人' }, /X-ONE\.sql: unit 'students \/ 人': the Chinese side 'students' has a Latin letter/],
    [{ ...good, subject: 'class {} / 班级 {}' }, /X-ONE\.sql: subject .* has a Latin letter/],
    [{ ...good, subject: '班级 / class' }, /X-ONE\.sql: subject '班级 \/ class': each side names the subject once/],
    [{ ...good, subject: '班级 {short} / class {short}; a = 甲 / A' }, /a subject with values shows them with \{\}/],
    [{ ...good, unit: 'none' }, /X-ONE\.sql: measure, unit and comparison are 'none' together .* not only unit/],
    [{ ...good, comparison: '超过 / above; a = 甲 / A' }, /comparison .* takes no values by key/],
    [{ ...good, measure: '班额 / class size; 甲' }, /measure .*: '甲' is not <key> = <中文> \/ <English>/],
    [{ ...good, policy: 'none: data health.' }, /quotes no plan clause/],
    [{ ...good, policy: 'none: data health. 数据 / data' }, /quotes no plan clause/],
  ])('refuses a result field that would not read right, naming the file and the field (%#)', (fields, why) => {
    expect(refusal(header(fields) + body)).toMatch(why);
  });

  it('parses the result fields: labels by subject value, the feeds by @feeds, none for a rule without numbers', () => {
    const facility = parseRule(
      'sql/rules/X-ONE.sql',
      header({
        ...good,
        measure: '生均面积 / area per child; outdoor = 室外游戏场地生均面积 / outdoor play area per child',
        unit: '平方米/生 / m²/child',
        subject: '数据源 {} / feed {}; @feeds',
      }) + body,
    ).says;
    expect(facility.measure?.byKey.outdoor).toEqual({ zh: '室外游戏场地生均面积', en: 'outdoor play area per child' });
    expect(facility.unit?.label).toEqual({ zh: '平方米/生', en: 'm²/child' });
    expect(facility.subject?.byKey.payroll).toEqual({ zh: '工资社保发放', en: 'wages and insurance' });
    const none = parseRule('sql/rules/X-ONE.sql', header({ ...good, measure: 'none', unit: 'none', comparison: 'none', subject: 'none' }) + body).says;
    expect(none).toEqual({ measure: null, unit: null, comparison: null, subject: null });
    expect(parseRule('sql/rules/X-ONE.sql', header({ ...good, policy: 'none: 数据质量。 / Data health.' }) + body).policy).toBe(
      'none: 数据质量。 / Data health.',
    );
  });

  it('refuses a rule that does not say what it detects', () => {
    expect(refusal(header(good) + body.replace('-- A test rule.\n', ''))).toMatch(/X-ONE\.sql: no comment under the header/);
  });

  it('refuses an unknown rule id, listing the known ones', () => {
    expect(() => ruleById('NOPE')).toThrow(/unknown rule 'NOPE' \(known: ADM-CLASS-SIZE/);
  });
});

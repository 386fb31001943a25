/** The one formatter of a rule's result (alerts/resultWords.ts): what an official reads instead of `outdoor 3.2 4`. */
import { describe, expect, it } from 'vitest';
import { parseResultWords, policyWords, resultLine, resultWords, subjectWords } from '../../alerts/resultWords.ts';
import { ruleById } from '../../alerts/rules.ts';

const facility = ruleById('KG-FACILITY').says;

describe('resultWords', () => {
  it('says what was measured, with its unit, and how it stands to the threshold (KG-FACILITY, both languages)', () => {
    const row = { subject: 'outdoor', observed: 3.2, threshold: 4 };
    expect(resultWords(facility, row, 'zh-CN')).toBe('室外游戏场地生均面积 3.2 平方米/生，低于 4 平方米/生');
    expect(resultWords(facility, row, 'en')).toBe('Outdoor play area per child 3.2 m²/child, below 4 m²/child');
    // The alerts table keeps the numbers as text: the same sentence.
    expect(resultWords(facility, { subject: 'building', observed: '9.5', threshold: '10.44' }, 'zh-CN')).toBe(
      '生均建筑面积 9.5 平方米/生，低于 10.44 平方米/生',
    );
  });

  it('takes a unit of its own for a subject value (DQ-STALE-FEED: minutes for the admission feed, days for the others)', () => {
    const stale = ruleById('DQ-STALE-FEED').says;
    expect(resultWords(stale, { subject: 'admission', observed: 95.5, threshold: 60 }, 'zh-CN')).toBe('距最近一条事件 95.5 分钟，超过允许的间隔 60 分钟');
    expect(resultWords(stale, { subject: 'payroll', observed: 41, threshold: 35 }, 'zh-CN')).toBe('距最近一条事件 41 天，超过允许的间隔 35 天');
  });

  it('writes percentages without a space, money with thousands separators, at most two decimals', () => {
    expect(resultWords(ruleById('KG-GER').says, { subject: null, observed: 92.3456, threshold: 97 }, 'zh-CN')).toBe('学前三年毛入园率 92.35%，低于目标 97%');
    expect(resultWords(ruleById('HS-FUNDS').says, { subject: null, observed: 800000, threshold: 1000000 }, 'zh-CN')).toBe(
      '本财年已拨公用经费 800,000 元，低于已过季度的应拨额 1,000,000 元',
    );
  });

  it('never shows a value below its threshold as equal to it: more decimals where two would round them together', () => {
    expect(resultWords(facility, { subject: 'outdoor', observed: 3.999, threshold: 4 }, 'zh-CN')).toBe(
      '室外游戏场地生均面积 3.999 平方米/生，低于 4 平方米/生',
    );
  });

  it('says the measure alone without a threshold, that it could not be computed without an observed value, nothing with neither', () => {
    expect(resultWords(ruleById('ADM-NO-PLAN').says, { subject: null, observed: 30, threshold: null }, 'zh-CN')).toBe('净录取人数 30 人');
    expect(resultWords(ruleById('KG-TEACHER-RATIO').says, { subject: null, observed: null, threshold: 15 }, 'zh-CN')).toBe(
      '每名专任教师对应幼儿无法计算（阈值 15 人）',
    );
    expect(resultWords(ruleById('ADM-CROSS-REGION').says, { subject: 'ab', observed: null, threshold: null }, 'zh-CN')).toBeNull();
  });

  it('leaves out a bare 超过 of zero, which the number says already (WAGE-LATE, DQ-UNKNOWN-SCHOOL), and keeps 超过 of more', () => {
    const late = ruleById('WAGE-LATE').says;
    expect(resultWords(late, { subject: 'p', observed: 12, threshold: 0 }, 'zh-CN')).toBe('迟发 12 天');
    expect(resultWords(late, { subject: 'p', observed: '12', threshold: '0' }, 'en')).toBe('Paid late by 12 days');
    expect(resultWords(ruleById('DQ-UNKNOWN-SCHOOL').says, { subject: null, observed: 3, threshold: 0 }, 'zh-CN')).toBe('提及该校的事件 3 条');
    expect(resultWords(ruleById('ADM-CLASS-SIZE').says, { subject: 'c1', observed: 58, threshold: 55 }, 'zh-CN')).toMatch(/，超过 55 人$/);
  });

  it('shows a rule it does not know (an alert of a removed rule) as stored, labelled, and a word as the word', () => {
    expect(resultWords(null, { subject: 'x', observed: '3', threshold: '4' }, 'zh-CN')).toBe('观测值 3，阈值 4');
    expect(resultWords(facility, { subject: 'outdoor', observed: '约 3', threshold: 4 }, 'zh-CN')).toBe('室外游戏场地生均面积 约 3，低于 4 平方米/生');
  });
});

describe('subjectWords', () => {
  it('names the subject in words: a value label, a shortened pseudonym, a class, a feed', () => {
    expect(subjectWords(facility, 'outdoor', 'zh-CN')).toBe('办园条件 室外游戏场地');
    expect(subjectWords(facility, 'outdoor', 'en')).toBe('facility measure outdoor play area');
    expect(subjectWords(ruleById('WAGE-LATE').says, '3f2a9c1de4b0aa00bb11cc22dd33ee44', 'zh-CN')).toBe('教职工（化名 3f2a9c1d…）');
    expect(subjectWords(ruleById('ADM-DUPLICATE').says, '3f2a9c1de4b0aa00bb11cc22dd33ee44', 'en')).toBe('student (pseudonym 3f2a9c1d…)');
    expect(subjectWords(ruleById('ADM-CLASS-SIZE').says, 'G1-03', 'zh-CN')).toBe('班级 G1-03');
    expect(subjectWords(ruleById('DQ-STALE-FEED').says, 'payroll', 'zh-CN')).toBe('数据源 工资社保发放');
  });

  it('has nothing to say of a null subject, and shows an unknown value as stored', () => {
    expect(subjectWords(facility, null, 'zh-CN')).toBeNull();
    expect(subjectWords(facility, 'roof', 'zh-CN')).toBe('办园条件 roof');
    expect(subjectWords(null, 'roof', 'zh-CN')).toBe('roof');
  });

  it('puts subject and result on one line for a table', () => {
    expect(resultLine(facility, { subject: 'outdoor', observed: 3.2, threshold: 4 }, 'zh-CN')).toBe(
      '办园条件 室外游戏场地：室外游戏场地生均面积 3.2 平方米/生，低于 4 平方米/生',
    );
    expect(resultLine(ruleById('KG-UNLICENSED').says, { subject: null, observed: null, threshold: null }, 'zh-CN')).toBeNull();
  });
});

describe('policyWords', () => {
  it('says a data-health rule has no clause in Chinese first, never `none:`', () => {
    const policy = ruleById('DQ-UNKNOWN-SCHOOL').policy;
    expect(policyWords(policy, 'zh-CN')).toMatch(/^无（数据质量规则）：学校名录中没有的学校/);
    expect(policyWords(policy, 'zh-CN')).not.toMatch(/none|[A-Za-z]/);
    expect(policyWords(policy, 'en')).toMatch(/^None \(data-health rule\): An event about a school/);
  });

  it('keeps a plan clause as the plan writes it, in both languages', () => {
    const policy = ruleById('KG-FACILITY').policy;
    expect(policyWords(policy, 'zh-CN')).toBe(policy);
    expect(policyWords(policy, 'en')).toBe(policy);
  });
});

describe('parseResultWords', () => {
  it('refuses a Chinese side that would show a key to a Chinese reader', () => {
    expect(() => parseResultWords({ measure: 'outdoor / outdoor', unit: '人 / people', comparison: '超过 / above', subject: 'none' })).toThrow(
      /measure 'outdoor \/ outdoor': the Chinese side 'outdoor' has a Latin letter/,
    );
  });
});

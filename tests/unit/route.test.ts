import { describe, expect, it } from 'vitest';
import { escalationRecipientsOf, recipientsOf } from '../../alerts/notify/route.ts';
import { loadConfig } from '../../core/config.ts';

const notify = loadConfig({
  env: {},
  overrides: {
    'notify.contacts': {
      '410825': [
        { id: 'wen', name: '温县教育局', email: 'wen@example.cn' },
        { id: 'wen-chief', name: '温县局长', email: 'chief@example.cn', minSeverity: 'critical' },
      ],
      '410823': [{ id: 'wuzhi', name: '武陟县教育局', email: 'wuzhi@example.cn' }],
      '410800': [
        { id: 'city', name: '焦作市教育局', email: 'city@example.cn', minSeverity: 'warning' },
        { id: 'wen', name: '温县教育局', email: 'wen@example.cn' },
      ],
    },
    'notify.dataTeam': [{ id: 'data', name: '数据组', email: 'data@example.cn' }],
    'notify.escalation': [
      { id: 'esc-city', name: '市局督导', email: 'esc@example.cn' },
      { id: 'esc-wuzhi', name: '武陟督导', email: 'escw@example.cn', region: '410823' },
    ],
  },
}).notify;
const ids = (rs: { contact: { id: string }; scopeRegion: string | null }[]) => rs.map((r) => `${r.contact.id}@${r.scopeRegion}`);

describe('recipientsOf', () => {
  it('sends a 温县 violation to 温县 and the city, not to 武陟县', () => {
    expect(ids(recipientsOf({ rule: 'ADM-CROSS-REGION', region_code: '410825', severity: 'critical' }, notify))).toEqual([
      'wen@410825',
      'wen-chief@410825',
      'city@410800',
    ]);
  });
  it("filters by each contact's least severity", () => {
    expect(ids(recipientsOf({ rule: 'KG-FACILITY', region_code: '410825', severity: 'warning' }, notify))).toEqual(['wen@410825', 'city@410800']);
    expect(ids(recipientsOf({ rule: 'X', region_code: '410825', severity: 'info' }, notify))).toEqual(['wen@410825']);
  });
  it('sends a city-level alert to the city once, and a region without contacts to the city alone', () => {
    expect(ids(recipientsOf({ rule: 'KG-NEW-PUBLIC-PLACES', region_code: '410800', severity: 'warning' }, notify))).toEqual(['city@410800', 'wen@410800']);
    expect(ids(recipientsOf({ rule: 'KG-GER', region_code: '410882', severity: 'warning' }, notify))).toEqual(['city@410800', 'wen@410800']);
  });
  it('sends data-health alerts to the data team only', () => {
    expect(ids(recipientsOf({ rule: 'DQ-STALE-FEED', region_code: null, severity: 'critical' }, notify))).toEqual(['data@null']);
  });
});

describe('escalationRecipientsOf', () => {
  it("reaches the city's escalation contacts and the region's own, not another region's", () => {
    expect(ids(escalationRecipientsOf({ rule: 'ADM-OVER-QUOTA', region_code: '410823', severity: 'critical' }, notify))).toEqual([
      'esc-city@410800',
      'esc-wuzhi@410823',
    ]);
    expect(ids(escalationRecipientsOf({ rule: 'ADM-OVER-QUOTA', region_code: '410825', severity: 'critical' }, notify))).toEqual(['esc-city@410800']);
    expect(ids(escalationRecipientsOf({ rule: 'DQ-STALE-FEED', region_code: null, severity: 'critical' }, notify))).toEqual(['esc-city@410800']);
  });
});

/**
 * A realistic alert email for 武陟县 (410823) during the 2025 admission season, in one place for
 * the screenshot in docs/img/alert-email.png (tools/screenshotEmail.ts) and the test that renders it
 * in a browser (tests/integration/emailScreenshot.test.ts). Titles and policy clauses are those of
 * sql/rules/*.sql; schools, codes, event ids and pseudonyms are made up. One school name holds 𠮷
 * (CJK Extension B, two UTF-16 units), which must survive every stage.
 */
import type { EmailItem, EmailModel } from './model.ts';

const OVER_QUOTA = {
  rule: 'ADM-OVER-QUOTA',
  ruleTitle: '超计划招生',
  severity: 'critical',
  policy: '县中 6：「严禁以任何形式提前组织招生、超计划招生、违规跨区域招生、“掐尖”招生。」',
} as const;

const base = {
  regionCode: '410823',
  regionName: '武陟县',
  period: '2025',
  subject: null,
  resolvedAt: null,
  eventId: null,
  occurrence: 1,
  flapCount: null,
  acknowledged: false,
} as const;

const items: EmailItem[] = [
  {
    ...base,
    ...OVER_QUOTA,
    alertId: 'a-20250712-0001',
    kind: 'open',
    schoolCode: '410823001',
    schoolName: '武陟县第一中学',
    observed: '312',
    threshold: '300',
    firstSeen: '2025-07-12T02:55:10Z',
  },
  {
    ...base,
    ...OVER_QUOTA,
    alertId: 'a-20250712-0002',
    kind: 'open',
    schoolCode: '410823014',
    schoolName: '武陟县𠮷祥高级中学',
    observed: '268',
    threshold: '240',
    firstSeen: '2025-07-12T02:55:10Z',
  },
  {
    ...base,
    alertId: 'a-20250709-0031',
    kind: 'reopen',
    rule: 'ADM-CROSS-REGION',
    ruleTitle: '违规跨区域招生',
    severity: 'critical',
    policy: '县中 5：「公办、民办普通高中实行属地招生，地处县域的普通高中应在本县域内招生，地处五城区的普通高中应在五城区范围内招生。」',
    schoolCode: '410823009',
    schoolName: '武陟县致远实验学校',
    subject: 'p_7f3a9c21e4b0',
    observed: '户籍 温县（410825）',
    threshold: null,
    firstSeen: '2025-07-12T02:54:40Z',
    eventId: 'adm-2025-0712-410823009-00417',
    occurrence: 3,
    flapCount: 5,
  },
  {
    ...base,
    alertId: 'a-20250705-0007',
    kind: 'renotify',
    rule: 'KG-FACILITY',
    ruleTitle: '幼儿园办园条件不达标',
    severity: 'warning',
    policy:
      '学前 3：「室外游戏场地生均面积（≥4平方米）、幼儿活动用房生均建筑面积（≥8.17平方米）、生均建筑面积（≥10.44平方米）三项指标有计划的通过改扩建或者减少招生人数等措施达标。」',
    schoolCode: '410823107',
    schoolName: '武陟县木城镇中心幼儿园',
    subject: 'outdoor',
    observed: '3.2',
    threshold: '4',
    firstSeen: '2025-07-05T18:00:00Z',
  },
  {
    ...base,
    alertId: 'a-20250710-0012',
    kind: 'resolve',
    rule: 'ADM-CLASS-SIZE',
    ruleTitle: '大班额',
    severity: 'warning',
    policy: '县中 17：「全面消除普通高中大班额……新入学年级班额不得超过55人。」',
    schoolCode: '410823001',
    schoolName: '武陟县第一中学',
    subject: 'g1-c07',
    observed: '57',
    threshold: '55',
    firstSeen: '2025-07-10T18:00:00Z',
    resolvedAt: '2025-07-12T02:55:10Z',
    acknowledged: true,
  },
];

/** The sample email: to 武陟县教育局, composed 2025-07-12 10:55:10 Beijing time, 3 new alerts, 1 reminder, 1 resolved. */
export function sampleEmailModel(): EmailModel {
  return {
    id: 'sample-20250712-wuzhi',
    recipient: { id: 'wuzhi', name: '武陟县教育局', email: 'wuzhi@example.cn', minSeverity: 'info', language: 'zh-CN' },
    scopeRegion: '410823',
    items: items.map((i) => ({ ...i })),
    composedAt: '2025-07-12T02:55:10Z',
    maxItemsInBody: 50,
  };
}

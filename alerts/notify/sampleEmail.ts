/**
 * A realistic alert email for 武陟县 (410823) during the 2025 admission season, in one place for
 * the screenshot in docs/img/alert-email.png (tools/screenshotEmail.ts) and the test that renders it
 * in a browser (tests/integration/emailScreenshot.test.ts). The alerts are rows as the alerts table
 * holds them (the values the rules return: KG-FACILITY's subject is `outdoor`, its observed `3.2`),
 * made into email items by the code every alert email goes through (notifyRound.ts emailItemOf),
 * with the titles, clauses and result words of the rule files: the picture says what an official
 * receives. Schools, codes, event ids and pseudonyms are made up. One school name holds 𠮷 (CJK
 * Extension B, two UTF-16 units), which must survive every stage. Each alert carries the links a
 * console at a public address gives it, signed with a sample key (no secret: the links lead nowhere).
 */

import { loadRules } from '../rules.ts';
import { alertLinks } from './alertLinks.ts';
import type { EmailModel, NoticeKind } from './model.ts';
import { type Catalogue, emailItemOf } from './notifyRound.ts';
import type { NotifyAlert } from './policy.ts';

const SCHOOLS = new Map([
  ['410823001', '武陟县第一中学'],
  ['410823014', '武陟县𠮷祥高级中学'],
  ['410823009', '武陟县致远实验学校'],
  ['410823107', '武陟县木城镇中心幼儿园'],
]);

/** What the sample's alerts share: where and when they are, as the alerts table holds them. */
const WHERE = { region_code: '410823', period: '2025', subject: null, observed: null, threshold: null, details: {} } as const;
const OPEN = { status: 'open', occurrence: 1, last_seen_at: '2025-07-12T02:55:10Z', resolved_at: null, acked_at: null, reopensLastDay: 0 } as const;

/** One alert of 武陟县 as the alerts table holds it; `over` gives what differs. */
function alert(over: Partial<NotifyAlert> & Pick<NotifyAlert, 'id' | 'rule' | 'severity' | 'school_id' | 'opened_at'>): NotifyAlert {
  return { ...WHERE, details: {}, ...OPEN, ...over };
}

const notices: Array<{ kind: NoticeKind; alert: NotifyAlert; flapCount: number | null }> = [
  {
    kind: 'open',
    flapCount: null,
    alert: alert({
      id: 'a-20250712-0001',
      rule: 'ADM-OVER-QUOTA',
      severity: 'critical',
      school_id: '410823001',
      observed: '312',
      threshold: '300',
      opened_at: '2025-07-12T02:55:10Z',
    }),
  },
  {
    kind: 'open',
    flapCount: null,
    alert: alert({
      id: 'a-20250712-0002',
      rule: 'ADM-OVER-QUOTA',
      severity: 'critical',
      school_id: '410823014',
      observed: '268',
      threshold: '240',
      opened_at: '2025-07-12T02:55:10Z',
    }),
  },
  {
    kind: 'reopen',
    flapCount: 5,
    alert: alert({
      id: 'a-20250709-0031',
      rule: 'ADM-CROSS-REGION',
      severity: 'critical',
      school_id: '410823009',
      subject: '7f3a9c21e4b05d68a1c2e9f04b3d7a61',
      opened_at: '2025-07-12T02:54:40Z',
      occurrence: 3,
      details: { event_id: 'adm-2025-0712-410823009-00417' },
    }),
  },
  {
    kind: 'renotify',
    flapCount: null,
    alert: alert({
      id: 'a-20250705-0007',
      rule: 'KG-FACILITY',
      severity: 'warning',
      school_id: '410823107',
      subject: 'outdoor',
      observed: '3.2',
      threshold: '4',
      opened_at: '2025-07-05T18:00:00Z',
    }),
  },
  {
    kind: 'resolve',
    flapCount: null,
    alert: alert({
      id: 'a-20250710-0012',
      rule: 'ADM-CLASS-SIZE',
      severity: 'warning',
      school_id: '410823001',
      subject: 'G1-07',
      observed: '57',
      threshold: '55',
      status: 'resolved',
      opened_at: '2025-07-10T18:00:00Z',
      resolved_at: '2025-07-12T02:55:10Z',
      acked_at: '2025-07-11T01:00:00Z',
    }),
  },
];

/** The sample's console links: a console at the bureau's address, acknowledge links good for the default 7 days. */
const SAMPLE_CONSOLE = 'https://edumon.jyj.jiaozuo.gov.cn';
const SAMPLE_LINK_KEY = 'sample-link-key-not-a-secret-0123456789';

/** The sample email: to 武陟县教育局, composed 2025-07-12 10:55:10 Beijing time, 3 new alerts, 1 reminder, 1 resolved. */
export function sampleEmailModel(): EmailModel {
  const catalogue: Catalogue = new Map(loadRules().map((r) => [r.id, { title: r.title, severity: r.severity, policy: r.policy, says: r.says }]));
  const composedAt = '2025-07-12T02:55:10Z';
  const expiresAt = new Date(Date.parse(composedAt) + 7 * 86_400_000);
  const linksOf = (alertId: string) => alertLinks(SAMPLE_CONSOLE, alertId, 'wuzhi', expiresAt, SAMPLE_LINK_KEY);
  return {
    id: 'sample-20250712-wuzhi',
    recipient: { id: 'wuzhi', name: '武陟县教育局', email: 'wuzhi@example.cn', minSeverity: 'info', language: 'zh-CN' },
    scopeRegion: '410823',
    items: notices.map((n) => emailItemOf(n, catalogue, SCHOOLS, 'zh-CN', linksOf)),
    composedAt,
    maxItemsInBody: 50,
  };
}

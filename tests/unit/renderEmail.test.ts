import { afterEach, describe, expect, it } from 'vitest';
import { HTML_MAX_BYTES } from '../../alerts/emailHtml.ts';
import { alertLinks } from '../../alerts/notify/alertLinks.ts';
import type { EmailItem, EmailModel } from '../../alerts/notify/model.ts';
import { renderEmail } from '../../alerts/notify/render.ts';
import { sampleEmailModel } from '../../alerts/notify/sampleEmail.ts';
import { loadRules, ruleById } from '../../alerts/rules.ts';

const OVER_QUOTA_POLICY = '县中 6：「严禁以任何形式提前组织招生、超计划招生、违规跨区域招生、“掐尖”招生。」';
const FACILITY_POLICY =
  '学前 3：「室外游戏场地生均面积（≥4平方米）、幼儿活动用房生均建筑面积（≥8.17平方米）、生均建筑面积（≥10.44平方米）三项指标有计划的通过改扩建或者减少招生人数等措施达标。」';

let seq = 0;
function item(over: Partial<EmailItem> = {}): EmailItem {
  seq++;
  return {
    alertId: `a-${String(seq).padStart(4, '0')}`,
    kind: 'open',
    rule: 'ADM-OVER-QUOTA',
    ruleTitle: '超计划招生',
    severity: 'critical',
    policy: OVER_QUOTA_POLICY,
    says: ruleById(over.rule ?? 'ADM-OVER-QUOTA').says,
    schoolCode: `4108230${String(seq % 100).padStart(2, '0')}`,
    // A school of its own per alert: a subject names the school only when every alert is about one.
    schoolName: `武陟县第${seq}中学`,
    regionCode: '410823',
    regionName: '武陟县',
    period: '2025',
    subject: null,
    observed: '312',
    threshold: '300',
    firstSeen: '2025-07-12T02:55:10Z',
    resolvedAt: null,
    eventId: null,
    occurrence: 1,
    flapCount: null,
    acknowledged: false,
    links: null,
    ...over,
  };
}
const crossRegion = (over: Partial<EmailItem> = {}) =>
  item({ rule: 'ADM-CROSS-REGION', ruleTitle: '违规跨区域招生', policy: '县中 5：「公办、民办普通高中实行属地招生……」', ...over });
const classSize = (over: Partial<EmailItem> = {}) =>
  item({ rule: 'ADM-CLASS-SIZE', ruleTitle: '大班额', severity: 'warning', policy: '县中 17：「……新入学年级班额不得超过55人。」', ...over });

function model(items: EmailItem[], over: Partial<EmailModel> = {}): EmailModel {
  return {
    id: 'm-1',
    recipient: { id: 'wuzhi', name: '武陟县教育局', email: 'wuzhi@example.cn', minSeverity: 'info', language: 'zh-CN' },
    scopeRegion: '410823',
    items,
    composedAt: '2025-07-12T02:55:10Z',
    maxItemsInBody: 50,
    ...over,
  };
}
const english = (m: EmailModel): EmailModel => ({ ...m, recipient: { ...m.recipient, language: 'en' } });

/** Alert ids listed in a body. */
const idsIn = (body: string) => body.match(/a-\d{4}\b/g) ?? [];
/** A UTF-16 unit that is half of no pair: what a cut inside 𠮷 leaves. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** RFC 4180 records (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  if (cell !== '' || row.length) rows.push([...row, cell]);
  return rows;
}

/** Terminal columns: CJK and full-width characters take two. */
const columns = (line: string) =>
  Array.from(line).reduce(
    (n, c) => n + (/[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]|[\u{20000}-\u{3fffd}]/u.test(c) ? 2 : 1),
    0,
  );

describe('renderEmail subject', () => {
  it('names the worst severity, the shared region, the new count and each rule most frequent first', () => {
    const email = renderEmail(model([crossRegion(), item(), item()]));
    expect(email.subject).toBe('【严重】武陟县 3 条新告警：超计划招生 2，违规跨区域招生 1');
  });

  it('takes the label from the most severe new alert only, and says what else the email holds', () => {
    const email = renderEmail(
      model([
        item({ kind: 'renotify', firstSeen: '2025-07-05T18:00:00Z' }),
        classSize(),
        item({ kind: 'resolve', resolvedAt: '2025-07-12T02:55:10Z' }),
        item({ kind: 'escalate' }),
        item({ kind: 'renotify' }),
      ]),
    );
    expect(email.subject).toBe('【警告】武陟县 1 条新告警：大班额 1；另 1 条超期未确认，2 条未确认，1 条已恢复');
  });

  it('names three rules at most, then 等', () => {
    const items = [item(), item(), crossRegion(), classSize(), item({ rule: 'ADM-DUPLICATE', ruleTitle: '重复录取 / 掐尖' })];
    expect(renderEmail(model(items)).subject).toBe('【严重】武陟县 5 条新告警：超计划招生 2，违规跨区域招生 1，重复录取 / 掐尖 1 等');
  });

  it('says 提醒, 升级 or 已恢复 when nothing is new', () => {
    expect(renderEmail(model([item({ kind: 'renotify' }), classSize({ kind: 'renotify' })])).subject).toBe('【提醒】武陟县 2 条告警未确认');
    expect(renderEmail(model([item({ kind: 'renotify' }), item({ kind: 'resolve' })])).subject).toBe('【提醒】武陟县 1 条告警未确认；另 1 条已恢复');
    expect(renderEmail(model([item({ kind: 'escalate' }), item({ kind: 'renotify' })])).subject).toBe('【升级】武陟县 1 条告警超期未确认；另 1 条未确认');
    expect(renderEmail(model([item({ kind: 'resolve' }), classSize({ kind: 'resolve' })])).subject).toBe('【已恢复】武陟县 2 条告警已恢复');
  });

  it("uses the recipient's scope region when the items' regions differ, and 数据质量 for the data team", () => {
    const city = model([item({ kind: 'escalate' }), item({ kind: 'escalate', regionCode: '410825', regionName: '温县' })], { scopeRegion: '410800' });
    expect(renderEmail(city).subject).toBe('【升级】焦作市 2 条告警超期未确认');
    const stale = (feed: string) =>
      item({
        rule: 'DQ-STALE-FEED',
        ruleTitle: '数据源中断',
        policy: 'none: data health.',
        schoolCode: null,
        schoolName: null,
        regionCode: null,
        regionName: null,
        subject: feed,
      });
    const dataTeam = model([stale('admission'), stale('payroll')], { scopeRegion: null, recipient: { ...model([]).recipient, id: 'data', name: '数据组' } });
    expect(renderEmail(dataTeam).subject).toBe('【严重】数据质量 2 条新告警：数据源中断 2');
  });

  it('renders English subjects', () => {
    const wuzhi = english(
      model([crossRegion({ ruleTitle: "Admission from outside the school's zone" }), item({ ruleTitle: 'Admissions above the approved plan' })]),
    );
    wuzhi.items.forEach((i) => {
      i.regionName = 'Wuzhi County';
    });
    expect(renderEmail(wuzhi).subject).toBe(
      "[Critical] Wuzhi County: 2 new alerts: Admission from outside the school's zone 1, Admissions above the approved plan 1",
    );
    const city = english(model([item({ kind: 'renotify' }), item({ kind: 'renotify', regionName: '温县' })], { scopeRegion: '410800' }));
    expect(renderEmail(city).subject).toBe('[Reminder] Jiaozuo: 2 alerts not acknowledged');
    expect(renderEmail(english(model([item({ kind: 'resolve', schoolName: null })]))).subject).toBe('[Resolved] 武陟县: 1 alert resolved');
  });

  it('keeps a CJK Extension B character whole, also where a long subject is cut', () => {
    expect(renderEmail(model([item({ regionName: '𠮷县', schoolName: null })])).subject).toBe('【严重】𠮷县 1 条新告警：超计划招生 1');
    // Every alert about one school: the subject names it (after its county, unless its name leads with it).
    const one = [crossRegion({ schoolName: '温县𠮷祥高级中学', regionName: '温县' }), crossRegion({ schoolName: '温县𠮷祥高级中学', regionName: '温县' })];
    expect(renderEmail(model(one)).subject).toBe('【严重】温县𠮷祥高级中学 2 条新告警：违规跨区域招生 2');
    expect(renderEmail(model([item({ schoolName: '第一高级中学' })])).subject).toBe('【严重】武陟县 第一高级中学 1 条新告警：超计划招生 1');
    // Titles of 𠮷 only: a cut by UTF-16 unit would land inside a pair half the time.
    for (let n = 20; n < 60; n++) {
      const titles = ['a', 'b', 'c'].map((k) => `${k}${'𠮷'.repeat(n)}`);
      const subject = renderEmail(model(titles.map((t) => item({ ruleTitle: t })))).subject;
      expect(subject).not.toMatch(LONE_SURROGATE);
      expect(Array.from(subject).length).toBeLessThanOrEqual(160);
      if (n >= 60 - 10) expect(subject.endsWith('…')).toBe(true);
    }
  });

  it('puts no line break or control character into the subject header', () => {
    const subject = renderEmail(model([item({ regionName: '武陟县\r\nBcc: x@evil.example\u202e' })])).subject;
    expect(subject).not.toMatch(/[\r\n\u202e]/);
    expect(subject).toContain('\\u000d\\u000aBcc');
  });
});

describe('renderEmail bodies', () => {
  it('shows each alert with what the reader needs to act on it, in Shanghai time', () => {
    const email = renderEmail(
      model([
        crossRegion({
          kind: 'reopen',
          schoolName: '武陟县致远实验学校',
          schoolCode: '410823009',
          eventId: 'adm-2025-0712-410823009-00417',
          occurrence: 3,
          flapCount: 5,
          firstSeen: '2025-07-11T18:30:00Z',
        }),
        item({
          kind: 'renotify',
          rule: 'KG-FACILITY',
          ruleTitle: '幼儿园办园条件不达标',
          severity: 'warning',
          policy: FACILITY_POLICY,
          subject: 'outdoor',
          observed: '3.2',
          threshold: '4',
          firstSeen: '2025-07-05T18:00:00Z',
        }),
      ]),
    );
    for (const body of [email.html, email.text]) {
      expect(body).toContain('违规跨区域招生');
      expect(body).toContain('武陟县致远实验学校（410823009）');
      expect(body).toContain('2025-07-12 02:30（北京时间）');
      expect(body).toContain('来源记录编号：');
      expect(body).toContain('adm-2025-0712-410823009-00417');
      expect(body).toContain('第 3 次');
      expect(body).toContain('今日反复 5 次');
      expect(body).toContain('县中 5：「公办、民办普通高中实行属地招生……」');
      expect(body).toContain('已持续 6 天 8 小时，尚未确认');
      expect(body).toContain('严重');
    }
    // What was measured, in its unit and in words, never the rule's key (issue 22).
    expect(email.text).toContain('对象：办园条件 室外游戏场地');
    expect(email.text).toContain('结果：室外游戏场地生均面积 3.2 平方米/生，低于 4 平方米/生');
    expect(email.text).not.toContain('outdoor');
    expect(email.attachments).toEqual([]);
  });

  it('shows times in Asia/Shanghai whatever the process TZ says', () => {
    const before = process.env.TZ;
    try {
      for (const tz of ['America/Los_Angeles', 'UTC', 'Asia/Kolkata']) {
        process.env.TZ = tz;
        const email = renderEmail(model([item({ firstSeen: '2025-07-11T18:30:00Z' })]));
        expect(email.text).toContain('首次发现：2025-07-12 02:30（北京时间）');
        expect(email.text).toContain('生成时间：2025-07-12 10:55（北京时间）');
      }
    } finally {
      if (before === undefined) delete process.env.TZ;
      else process.env.TZ = before;
    }
  });

  it('lists sections new, escalated, reminders, resolved, each most severe first, whatever the given order', () => {
    const items = [
      item({ kind: 'resolve', alertId: 'a-9001' }),
      classSize({ alertId: 'a-9002' }),
      item({ kind: 'renotify', alertId: 'a-9003' }),
      crossRegion({ alertId: 'a-9004' }),
      item({ alertId: 'a-9005', severity: 'info' }),
      item({ kind: 'escalate', alertId: 'a-9006' }),
    ];
    const email = renderEmail(model(items));
    const order = ['a-9004', 'a-9002', 'a-9005', 'a-9006', 'a-9003', 'a-9001'];
    for (const body of [email.html, email.text]) expect(idsIn(body)).toEqual(order);
    const headings = ['新告警（3）', '升级：超期未确认（1）', '未确认提醒（1）', '已恢复（1）'];
    expect(headings.map((h) => email.text.indexOf(h))).toEqual([...headings.map((h) => email.text.indexOf(h))].sort((a, b) => a - b));
    expect(headings.every((h) => email.html.includes(h))).toBe(true);
  });

  it('shows the region, not a school, for a region indicator', () => {
    const ger = item({
      rule: 'KG-GER',
      ruleTitle: '学前三年毛入园率',
      severity: 'warning',
      schoolCode: null,
      schoolName: null,
      observed: '95.1%',
      threshold: '97%',
    });
    const email = renderEmail(model([ger]));
    expect(email.text).not.toContain('学校：');
    expect(email.text).toContain('地区：武陟县');
  });

  it('keeps a CJK Extension B school name whole in both bodies and the CSV', () => {
    const items = [item({ schoolName: '武陟县𠮷祥高级中学' }), ...Array.from({ length: 3 }, () => item())];
    const email = renderEmail(model(items, { maxItemsInBody: 2 }));
    for (const out of [email.subject, email.html, email.text, email.attachments[0]!.content]) expect(out).not.toMatch(LONE_SURROGATE);
    expect(email.html).toContain('武陟县𠮷祥高级中学');
    expect(email.text).toContain('武陟县𠮷祥高级中学');
    expect(email.attachments[0]!.content).toContain('武陟县𠮷祥高级中学');
  });

  it('makes a hostile school name harmless everywhere', () => {
    const hostile = `<script>alert(1)</script> & "引号" 'x' \u202e\u0007\u0000学校`;
    const email = renderEmail(
      model([item({ schoolName: hostile, subject: '<img src="https://evil.example/x.png">', eventId: '"><svg onload=alert(1)>' }), item()], {
        maxItemsInBody: 1,
      }),
    );
    expect(email.html).not.toMatch(/<script|<img|<svg/i);
    expect(email.html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(email.html).toContain('&#38; &#34;引号&#34; &#39;x&#39;');
    for (const out of [email.html, email.text, email.attachments[0]!.content]) {
      for (const raw of ['\u202e', '\u0007', '\u0000']) expect(out).not.toContain(raw);
      expect(out).toContain('\\u202e\\u0007\\u0000学校');
    }
  });

  it('writes plain text a terminal shows: no HTML, lines of at most 100 columns but for a link, kept whole', () => {
    const email = renderEmail(sampleEmailModel());
    expect(email.text).not.toMatch(/<[a-z/!]/i);
    const long = renderEmail(english(model([item({ policy: `${FACILITY_POLICY} ${'word '.repeat(60)}`, schoolName: '武'.repeat(200) })])));
    for (const text of [email.text, long.text]) {
      for (const line of text.split('\n')) expect(columns(line.replace(/https:\/\/\S+$/, '')), line).toBeLessThanOrEqual(100);
    }
    // The sample's links: each URL unbroken at the end of its own line; none to acknowledge an alert already acknowledged.
    for (const i of sampleEmailModel().items) {
      expect(email.text).toContain(`\n  查看告警：${i.links!.view}\n${i.acknowledged ? '' : `  确认告警：${i.links!.ack}\n`}`);
      expect(email.text.includes(i.links!.ack)).toBe(!i.acknowledged);
    }
  });

  it('gives each alert its console page and acknowledge link, Chinese first, escaped like every value, and says to acknowledge through the link', () => {
    const links = { view: 'https://edumon.example.cn/c/alerts/a-1?x=1&y=<2>', ack: 'https://edumon.example.cn/c/l/abc.def"onmouseover=alert(1)' };
    const email = renderEmail(
      model([item({ links }), item({ links: { view: 'https://edumon.example.cn/c/alerts/a-2', ack: 'https://edumon.example.cn/c/l/t2' } })]),
    );
    expect(email.html).toContain(
      '<br><a href="https://edumon.example.cn/c/alerts/a-1?x=1&#38;y=&#60;2&#62;" style="color:#1d4ed8">查看告警</a>　<a href="https://edumon.example.cn/c/l/abc.def&#34;onmouseover=alert(1)" style="color:#1d4ed8">确认告警</a>',
    );
    expect(email.html).not.toContain('"onmouseover');
    expect(email.html.match(/<a href=/g)).toHaveLength(4);
    expect(email.text).toContain(`\n  查看告警：${links.view}\n  确认告警：${links.ack}\n`);
    for (const body of [email.html, email.text]) {
      expect(body).toContain('核实处理后，请点击“确认告警”链接登录控制台确认，并注明核实结论');
      expect(body).not.toContain('请凭告警编号确认告警');
    }
    // An alert already acknowledged: its page, nothing to acknowledge, and the footer of an email without acknowledge links.
    const acked = renderEmail(model([item({ kind: 'resolve', acknowledged: true, links })]));
    expect(acked.html).toContain('>查看告警</a>');
    expect(acked.html).not.toContain('>确认告警</a>');
    expect(acked.text).not.toContain(links.ack);
    expect(acked.text).toContain('请凭告警编号确认告警');
    const en = renderEmail(english(model([item({ links })])));
    expect(en.html).toContain('>View alert</a>　<a href=');
    expect(en.html).toContain('>Acknowledge</a>');
    expect(en.text).toContain(`\n  View alert: ${links.view}\n  Acknowledge: ${links.ack}\n`);
    expect(en.html).toContain('follow the alert&#39;s Acknowledge link, sign in to the console and acknowledge it with what you found');
  });

  it('reads as before the console when the alerts carry no links', () => {
    const email = renderEmail(model([item(), item({ kind: 'resolve' })], { maxItemsInBody: 1 }));
    for (const body of [email.html, email.text]) {
      expect(body).not.toMatch(/<a |查看告警：?|确认告警：|https?:/);
      expect(body).toContain('核实处理后，请凭告警编号确认告警');
    }
    expect(email.attachments[0]!.content.split('\r\n')[0]).not.toContain('链接');
  });

  it('ends each CSV row with the two links when the alerts carry them, so those left out of the body keep theirs', () => {
    const links = (n: number) => ({ view: `https://edumon.example.cn/alerts/a-${n}`, ack: `https://edumon.example.cn/l/t${n}` });
    const email = renderEmail(model([item({ links: links(1) }), item({ links: links(2) })], { maxItemsInBody: 1 }));
    expect(email.text).not.toContain(links(2).ack);
    const rows = parseCsv(email.attachments[0]!.content.slice(1));
    expect(rows[0]!.slice(-2)).toEqual(['查看告警链接', '确认告警链接']);
    expect(rows.slice(1).map((r) => r.slice(-2))).toEqual([
      [links(1).view, links(1).ack],
      [links(2).view, links(2).ack],
    ]);
  });

  it('renders English wording for an English reader', () => {
    const email = renderEmail(english(model([item({ firstSeen: '2025-07-11T18:30:00Z' }), item({ kind: 'resolve', resolvedAt: '2025-07-12T03:00:00Z' })])));
    expect(email.html).toContain('<html lang="en">');
    expect(email.text).toContain('First seen: 2025-07-12 02:30 (Beijing time)');
    expect(email.text).toContain('Resolved: 2025-07-12 11:00 (Beijing time)');
    expect(email.text).toContain('== New alerts (1) ==');
    expect(email.text).not.toMatch(/北京时间|首次发现|新告警/);
  });

  it('cites a clause in full once for the alerts of a rule listed together, then says 同上, and keeps it whole in the CSV', () => {
    const items = [item(), item(), item(), classSize(), item({ kind: 'renotify' })];
    const email = renderEmail(model(items));
    const count = (body: string, text: string) => body.split(text).length - 1;
    for (const body of [email.html, email.text]) {
      // New: three of ADM-OVER-QUOTA together (its clause, then 同上 twice), then ADM-CLASS-SIZE's; the reminders cite theirs again.
      expect(count(body, '县中 6：「严禁以任何形式提前组织招生')).toBe(2);
      expect(count(body, '县中 17：「……新入学年级班额不得超过55人。」')).toBe(1);
    }
    expect(count(email.text, '政策依据：同上')).toBe(2);
    expect(count(email.html, '政策依据：</span>同上')).toBe(2);
    const csv = renderEmail(model(items, { maxItemsInBody: 1 })).attachments[0]!.content;
    expect(count(csv, '县中 6：「严禁以任何形式提前组织招生')).toBe(4);
    expect(renderEmail(english(model([item(), item()]))).text).toContain('Policy: As above');
  });

  it('refuses an email without alerts', () => {
    expect(() => renderEmail(model([]))).toThrow(/no alerts/);
  });
});

describe('renderEmail HTML is email-safe', () => {
  /** The longest values the contract and the rule headers allow (the longest policy clause, 200-character names), with characters that grow when escaped. */
  const worst = (n: number) =>
    Array.from({ length: n }, (_, k) =>
      item({
        kind: k % 5 === 0 ? 'reopen' : 'open',
        rule: 'ADM-OUT-OF-WINDOW',
        ruleTitle: '提前招生 / 公民办不同步',
        policy: FACILITY_POLICY,
        schoolName: '&<"学𠮷'.repeat(40),
        schoolCode: 'S'.repeat(64),
        subject: 'p'.repeat(64),
        observed: '2025-06-01T00:00:00+08:00 (before the window)',
        threshold: '2025-06-15T00:00:00+08:00',
        eventId: 'e'.repeat(64),
        occurrence: 99,
        flapCount: 12,
      }),
    );

  /** The catalogue's rules, the longest clause and title (in UTF-8 bytes) first: what makes the longest items. */
  const bytesOf = (r: { policy: string; title: string }) => Buffer.byteLength(r.policy + r.title, 'utf8');
  const byLength = [...loadRules()].sort((a, b) => bytesOf(b) - bytesOf(a));
  /** `worst`'s values for an alert of `rule` as the catalogue has it (its own title, clause and result words). */
  const worstOf = (rule: (typeof byLength)[number], kind: EmailItem['kind']) =>
    item({ ...worst(1)[0]!, alertId: `a-${String(++seq).padStart(4, '0')}`, kind, rule: rule.id, ruleTitle: rule.title, policy: rule.policy, says: rule.says });
  /** `html` is under Gmail's 102 KB clip, with room: under HTML_MAX_BYTES (100,000). */
  const underClip = (html: string, what: string) => {
    const bytes = Buffer.byteLength(html, 'utf8');
    expect(bytes, `${what}: ${bytes} bytes of HTML`).toBeLessThan(HTML_MAX_BYTES);
  };

  afterEach(() => {
    seq = 0;
  });

  it('stays under 100 KB with 50 long alerts of the rule with the longest clause, and with every rule of the catalogue in two sections', () => {
    const one = renderEmail(model(Array.from({ length: 50 }, () => worstOf(byLength[0]!, 'open'))));
    expect(idsIn(one.html)).toHaveLength(50);
    underClip(one.html, `50 of ${byLength[0]!.id}`);
    // Each rule once among the new alerts and again among the escalated: no clause is said 同上, the longest body real rules make.
    const every = Array.from({ length: 50 }, (_, k) => worstOf(byLength[k % byLength.length]!, k < byLength.length ? 'open' : 'escalate'));
    const mixed = renderEmail(model(every));
    expect(idsIn(mixed.html)).toHaveLength(50);
    underClip(mixed.html, 'every rule, twice');
  });

  it('has a charset, a language, no script, no stylesheet, no remote resource, and stays under 100 KB with 50 long alerts', () => {
    const email = renderEmail(model(worst(50)));
    const html = email.html;
    expect(idsIn(html)).toHaveLength(50);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).not.toMatch(/<script|<link|<style|<img|<iframe|@import|url\(/i);
    expect(html).not.toMatch(/\b(?:src|href|background)\s*=\s*["']?\s*(?:https?:)?\/\//i);
    const bytes = Buffer.byteLength(html, 'utf8');
    expect(bytes, `50 worst-case alerts: ${bytes} bytes of HTML`).toBeLessThan(100 * 1024);
    expect(html).toMatch(/width="600"/);
  });

  it('lists the first maxItemsInBody alerts and attaches a CSV of all of them beyond that', () => {
    const items = worst(60);
    items[7]!.schoolName = '=HYPERLINK("https://evil.example","点我")';
    items[8]!.observed = '-5';
    items[9]!.observed = '-2+3';
    const email = renderEmail(model(items));
    expect(idsIn(email.html)).toHaveLength(50);
    expect(idsIn(email.text)).toHaveLength(50);
    expect(email.text).toContain('正文列出前 50 条，另有 10 条见附件 alerts.csv（共 60 条）。');
    expect(email.html).toContain('新告警（50/60）');
    expect(email.attachments).toHaveLength(1);
    const csv = email.attachments[0]!;
    expect(csv.filename).toBe('alerts.csv');
    expect(csv.contentType).toMatch(/^text\/csv/);
    expect(csv.content.startsWith('\uFEFF告警编号,')).toBe(true);
    const rows = parseCsv(csv.content.slice(1));
    expect(rows).toHaveLength(61);
    expect(rows.every((r) => r.length === rows[0]!.length)).toBe(true);
    expect(new Set(rows.slice(1).map((r) => r[0]))).toEqual(new Set(items.map((i) => i.alertId)));
    const school = rows[0]!.indexOf('学校名称');
    expect(rows.find((r) => r[0] === items[7]!.alertId)![school]).toBe(`'=HYPERLINK("https://evil.example","点我")`);
    // The observed value is a number: a negative one stays a number; anything else is text that cannot start a formula.
    expect(rows.find((r) => r[0] === items[8]!.alertId)![rows[0]!.indexOf('观测值')]).toBe('-5');
    expect(rows.find((r) => r[0] === items[9]!.alertId)![rows[0]!.indexOf('观测值')]).toBe("'-2+3");
    // The CSV keeps the whole 200-character name the body shortens.
    expect(rows[1]![school]).toBe('&<"学𠮷'.repeat(40));
    expect(rows[1]![rows[0]!.indexOf('首次发现（北京时间）')]).toBe('2025-07-12T10:55:10+08:00');
  });

  it('stays under 100 KB with 50 long alerts that carry console links, every link an <a href>', () => {
    const expires = new Date('2025-07-19T02:55:10Z');
    const items = worst(50).map((i, k) => ({
      ...i,
      // Alert ids as the warehouse makes them (16 hex digits), under a console with a path.
      alertId: `a-${String(k).padStart(4, '0')}-${'f'.repeat(9)}`,
      links: alertLinks('https://edumon.jyj.jiaozuo.gov.cn/console', `a-${String(k).padStart(4, '0')}-${'f'.repeat(9)}`, 'wuzhi', expires, 'k'.repeat(64)),
    }));
    const email = renderEmail(model(items));
    const html = email.html;
    expect(html.match(/告警编号：<\/span>a-\d{4}-f{9}/g)).toHaveLength(50);
    expect(
      html.match(/<a href="https:\/\/edumon\.jyj\.jiaozuo\.gov\.cn\/console\/(?:alerts\/a-\d{4}-f{9}|l\/[\w-]+\.[\w-]{43})" style="color:#1d4ed8">/g),
    ).toHaveLength(100);
    expect(html).not.toMatch(/<script|<link|<style|<img|<iframe|@import|url\(/i);
    expect(html).not.toMatch(/\b(?:src|background)\s*=/i);
    underClip(html, '50 worst-case alerts with links');
  });

  it('lists fewer alerts rather than pass 100 KB, says so, and attaches the CSV of all of them, links included', () => {
    const expires = new Date('2025-07-19T02:55:10Z');
    const withLinks = (i: EmailItem) => ({ ...i, links: alertLinks('https://edumon.jyj.jiaozuo.gov.cn/console', i.alertId, 'wuzhi', expires, 'k'.repeat(64)) });
    // Every rule twice, no clause said 同上, every alert with its links: more than 100 KB for 50.
    const every = Array.from({ length: 50 }, (_, k) => withLinks(worstOf(byLength[k % byLength.length]!, k < byLength.length ? 'open' : 'escalate')));
    const email = renderEmail(model(every));
    underClip(email.html, 'every rule, twice, with links');
    const listed = email.text.match(/告警编号：a-\d{4}/g)!.length;
    expect(listed).toBeGreaterThan(40);
    expect(listed).toBeLessThan(50);
    expect(new Set(idsIn(email.html))).toEqual(new Set(idsIn(email.text)));
    // The most that fit: allowed one more, the body still lists as many.
    expect(renderEmail(model(every, { maxItemsInBody: listed + 1 })).text.match(/告警编号：a-\d{4}/g)).toHaveLength(listed);
    expect(email.text).toContain(`正文列出前 ${listed} 条，另有 ${50 - listed} 条见附件 alerts.csv（共 50 条）。`);
    const rows = parseCsv(email.attachments[0]!.content.slice(1));
    expect(rows).toHaveLength(51);
    expect(rows.slice(1).map((r) => r.at(-1))).toEqual(expect.arrayContaining(every.map((i) => i.links.ack)));
    // However many alerts are allowed in the body.
    const many = renderEmail(
      model(
        Array.from({ length: 500 }, () => worstOf(byLength[0]!, 'open')),
        { maxItemsInBody: 500 },
      ),
    );
    underClip(many.html, '500 allowed');
    expect(many.html.match(/告警编号：<\/span>a-\d{4}/g)!.length).toBeGreaterThan(50);
  });

  it('attaches nothing when every alert fits in the body', () => {
    const email = renderEmail(model(worst(50)));
    expect(email.attachments).toEqual([]);
    expect(email.text).not.toContain('alerts.csv');
  });
});

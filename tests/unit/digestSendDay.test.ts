import { describe, expect, it } from 'vitest';
import { digestOutboxId, digestRecipients, recipientOutboxId, scopeRegions } from '../../alerts/digest/digestEmails.ts';
import { digestSendAt, dueDigestWeek } from '../../alerts/digest/sendDay.ts';
import { parseIsoWeek } from '../../alerts/digest/week.ts';
import { loadConfig } from '../../core/config.ts';

const iso = (ms: number) => new Date(ms).toISOString();

describe('digestSendAt', () => {
  it('is 08:00 Asia/Shanghai on the Monday after the week', () => {
    expect(iso(digestSendAt(parseIsoWeek('2025-W27')))).toBe('2025-07-07T00:00:00.000Z');
  });

  it('skips the National Day holiday to its first working day (2025-10-09, a Thursday)', () => {
    expect(iso(digestSendAt(parseIsoWeek('2025-W40')))).toBe('2025-10-09T00:00:00.000Z');
  });

  it('goes on the first working day after a week that is all holiday (春节 2026: Tuesday 24 February)', () => {
    expect(iso(digestSendAt(parseIsoWeek('2026-W07')))).toBe('2026-02-24T00:00:00.000Z');
  });

  it('follows a dated override that makes a Monday a holiday', () => {
    const overrides = [{ date: '2025-07-07', kind: 'holiday' as const }];
    expect(iso(digestSendAt(parseIsoWeek('2025-W27'), overrides))).toBe('2025-07-08T00:00:00.000Z');
  });
});

describe('dueDigestWeek', () => {
  it('is last week once its send moment has passed, the week before until then', () => {
    expect(dueDigestWeek(Date.parse('2025-07-07T08:00:00+08:00')).label).toBe('2025-W27');
    expect(dueDigestWeek(Date.parse('2025-07-07T07:59:59+08:00')).label).toBe('2025-W26');
    // In the 春节 week nothing new is due: the digest of 2026-W07 waits for 24 February, when that of
    // 2026-W08 (the holiday week) is due too: the latest goes, its trend covering the week before.
    expect(dueDigestWeek(Date.parse('2026-02-20T12:00:00+08:00')).label).toBe('2026-W06');
    expect(dueDigestWeek(Date.parse('2026-02-24T08:00:00+08:00')).label).toBe('2026-W08');
  });
});

describe('digestRecipients', () => {
  it("gives each region's contacts their region and the city's contacts every region; one digest per contact", () => {
    const notify = loadConfig({
      env: {},
      overrides: {
        'notify.contacts': {
          '410825': [{ id: 'wen', name: '温县教育局', email: 'wen@example.cn' }],
          '410800': [
            { id: 'city', name: '焦作市教育局', email: 'city@example.cn' },
            { id: 'wen', name: '温县教育局', email: 'wen@example.cn' },
          ],
        },
        'notify.dataTeam': [{ id: 'data', name: '数据组', email: 'data@example.cn' }],
      },
    }).notify;
    expect(digestRecipients(notify).map((r) => `${r.contact.id}:${r.scope}`)).toEqual(['city:410800', 'wen:410800']);
    expect(scopeRegions('410825')).toEqual(['410825']);
    expect(scopeRegions('410800')).toHaveLength(12);
    expect(scopeRegions('410800')[0]).toBe('410800');
  });

  it('gives a contact listed under 解放区 and 山阳区 one digest of each, the first under the id it always had', () => {
    const notify = loadConfig({
      env: {},
      overrides: {
        'notify.contacts': {
          '410811': [{ id: 'two', name: '解放区山阳区联络员', email: 'two@example.cn' }],
          '410802': [{ id: 'two', name: '解放区山阳区联络员', email: 'two@example.cn' }],
        },
      },
    }).notify;
    const recipients = digestRecipients(notify);
    expect(recipients.map((r) => `${r.contact.id}:${r.scope}`)).toEqual(['two:410802', 'two:410811']);
    const week = parseIsoWeek('2025-W52');
    const ids = recipients.map((r) => recipientOutboxId(week, r));
    expect(ids[0]).toBe(digestOutboxId(week, 'two'));
    expect(new Set(ids).size).toBe(2);
  });
});

/**
 * The weekly digest sent: each contact's digest of its own regions, exactly once per week and
 * contact across a restart, and a week missed while the service was down caught up. A small world
 * stored through the real sink into a DuckDB file, the real sender, a real SMTP server, every
 * message parsed back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDueDigests } from '../../alerts/digest/writeDueDigests.ts';
import { type Config, loadConfig } from '../../core/config.ts';
import { connect, openWarehouse } from '../../core/db.ts';
import { createLogger } from '../../core/log.ts';
import { type MailSender, startMailSender } from '../../service/mailSender.ts';
import { twoCountyWorld } from '../helpers/digestWorld.ts';
import { type SmtpCatcher, startSmtpCatcher } from '../helpers/smtpCatcher.ts';

let dir: string;
let file: string;
let instance: DuckDBInstance;
let conn: DuckDBConnection;
let senderConn: DuckDBConnection;
let sender: MailSender;
let catcher: SmtpCatcher;
let config: Config;

function startSender(): void {
  sender = startMailSender({ conn: senderConn, config, log: createLogger({ level: 'error' }) });
}

async function deliver(): Promise<void> {
  sender.wake();
  await sender.idle();
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'edumon-digest-'));
  file = join(dir, 'edumon.duckdb');
  catcher = await startSmtpCatcher();
  config = loadConfig({
    env: { EDUMON_ENV: 'test' },
    overrides: {
      'notify.smtpUrl': catcher.url,
      'notify.giveUpAfterHours': 1e6,
      'notify.contacts': {
        '410825': [{ id: 'wen', name: '温县教育局', email: 'wen@jyj.example.cn' }],
        '410800': [{ id: 'city', name: '焦作市教育局', email: 'city@jyj.example.cn' }],
      },
      // Neither receives a digest: only region and city contacts do.
      'notify.dataTeam': [{ id: 'data', name: '数据组', email: 'data@jyj.example.cn' }],
    },
  });
  instance = await openWarehouse(file);
  conn = await connect(instance);
  senderConn = await connect(instance);
  await twoCountyWorld().store(conn);
  startSender();
}, 60_000);

afterAll(async () => {
  await sender?.stop();
  await catcher?.stop();
  senderConn?.closeSync();
  conn?.closeSync();
  instance?.closeSync();
  rmSync(dir, { recursive: true, force: true });
});

describe('the weekly digest', () => {
  it("sends each contact the digest of its own regions once its send day has come: 温县's to 温县, every region's to the city", async () => {
    // Sunday evening: last week's digest is not due yet, the one before is (the warehouse has nothing of it to show, but it goes).
    const early = await writeDueDigests(conn, config, new Date('2025-07-06T20:00:00+08:00'));
    expect(early.week.label).toBe('2025-W26');
    const monday = await writeDueDigests(conn, config, new Date('2025-07-07T08:00:00+08:00'));
    expect([monday.week.label, monday.written, monday.alreadyThere]).toEqual(['2025-W27', 2, 0]);
    await deliver();
    const w27 = catcher.accepted.filter((m) => m.subject.includes('2025-W27'));
    expect(w27.map((m) => m.to.join()).sort()).toEqual(['city@jyj.example.cn', 'wen@jyj.example.cn']);
    const wen = w27.find((m) => m.to.includes('wen@jyj.example.cn'))!;
    expect(wen.subject).toMatch(/^【周报】温县 2025-W27/);
    // 温县's digest shows 温县 (97 of 100 children: 97.0%, met), not 武陟县.
    expect(wen.text).toContain('97.0%');
    expect(wen.text).not.toContain('武陟县');
    const city = w27.find((m) => m.to.includes('city@jyj.example.cn'))!;
    expect(city.subject).toMatch(/^【周报】焦作市 2025-W27/);
    expect(city.text).toContain('武陟县');
    expect(city.text).toContain('90.0%');
    expect(catcher.accepted.some((m) => m.to.includes('data@jyj.example.cn'))).toBe(false);
  });

  it('sends nothing twice for a week, across a restart', async () => {
    const before = catcher.accepted.length;
    await sender.stop();
    senderConn.closeSync();
    conn.closeSync();
    instance.closeSync();
    instance = await openWarehouse(file);
    conn = await connect(instance);
    senderConn = await connect(instance);
    startSender();
    const again = await writeDueDigests(conn, config, new Date('2025-07-07T09:30:00+08:00'));
    expect([again.week.label, again.written, again.alreadyThere]).toEqual(['2025-W27', 0, 2]);
    await deliver();
    expect(catcher.accepted.length).toBe(before);
  });

  it('catches up the week it missed while down, once, and not the week before', async () => {
    // Down from Monday 14 July 08:00 (2025-W28's send moment) until Wednesday.
    const late = await writeDueDigests(conn, config, new Date('2025-07-16T10:00:00+08:00'));
    expect([late.week.label, late.written]).toEqual(['2025-W28', 2]);
    await deliver();
    expect(
      catcher.accepted
        .filter((m) => m.subject.includes('2025-W28'))
        .map((m) => m.to.join())
        .sort(),
    ).toEqual(['city@jyj.example.cn', 'wen@jyj.example.cn']);
    for (const [key, n] of catcher.acceptedCounts()) expect(n, key).toBe(1);
    expect(catcher.accepted.filter((m) => m.subject.includes('2025-W27'))).toHaveLength(2);
  });
});

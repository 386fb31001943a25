/** Feed watermarks and effective moments: how far each feed's stored data is complete, and what a rule may judge. */
import { describe, expect, it } from 'vitest';
import {
  effectiveMoment,
  type FeedProgress,
  feedWatermarks,
  type IngestState,
  nextPayrollReportDue,
  notBefore,
  seasonEndAfter,
} from '../../alerts/feedWatermarks.ts';
import { loadConfig } from '../../core/config.ts';
import { feedOf, typesByFeed } from '../../domain/contract.ts';
import { feeds } from '../../domain/topics.ts';

const config = loadConfig({ env: {} });
const t = (iso: string) => Date.parse(iso);
/** A feed's progress from one partition, its events arrived when they occurred (`arrived` otherwise), payroll with its latest month. */
const row = (feed: string, partition: number, at: string, topic = 'edu.funding', arrived = at, maxPeriod: string | null = null): FeedProgress => ({
  feed,
  topic,
  partition,
  maxOccurredAt: t(at),
  arrivedAt: t(arrived),
  maxPeriod,
});
/** Ingestion with these partitions lagging, the ends read at `now` (by default long before anything arrived: no feed is quiet). */
const ingest = (lagging: string[], now = 0, endsRead = true): IngestState => ({ lagging: new Set(lagging), endsRead, now });
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

describe('feeds', () => {
  it('assign every event type to exactly one feed', () => {
    expect(Object.keys(feedOf).sort()).toEqual(feeds.flatMap((f) => [...typesByFeed[f]]).sort());
    expect(feedOf['wage.paid']).toBe('payroll');
    expect(feedOf['funds.disbursed']).toBe('funds');
  });
});

describe('feedWatermarks', () => {
  it('is the greatest progress over partitions minus the allowed lateness (10 minutes by default)', () => {
    const w = feedWatermarks([row('payroll', 0, '2025-03-09T10:00:00Z'), row('payroll', 1, '2025-03-05T10:00:00Z')], config);
    expect(iso(w.payroll.at)).toBe('2025-03-09T09:50:00.000Z');
  });

  it('waits for the least progress among partitions still being caught up', () => {
    const rows = [row('payroll', 0, '2025-03-09T10:00:00Z'), row('payroll', 1, '2025-03-05T10:00:00Z')];
    expect(iso(feedWatermarks(rows, config, ingest(['edu.funding:1'])).payroll.at)).toBe('2025-03-05T09:50:00.000Z');
  });

  it('knows nothing of a feed while a partition of its topic that has stored none of it is still being caught up', () => {
    // The first seconds of a warehouse filling: partition 2 may hold the earliest enrollments.
    const rows = [row('enrollment', 0, '2025-12-01T08:00:00Z', 'edu.enrollment'), row('registry', 0, '2025-12-01T08:00:00Z', 'edu.registry')];
    const w = feedWatermarks(rows, config, ingest(['edu.enrollment:2']));
    expect(w.enrollment.at).toBeNull();
    expect(iso(w.registry.at)).toBe('2025-12-01T07:50:00.000Z');
    // Once it has stored some, its progress holds the feed back as any lagging partition's does.
    const caughtUp = feedWatermarks([...rows, row('enrollment', 2, '2025-12-01T02:00:00Z', 'edu.enrollment')], config, ingest(['edu.enrollment:2']));
    expect(iso(caughtUp.enrollment.at)).toBe('2025-12-01T01:50:00.000Z');
  });

  it('gives a feed with nothing stored no watermark', () => {
    const w = feedWatermarks([row('payroll', 0, '2025-03-09T10:00:00Z')], config);
    expect(w.funds.at).toBeNull();
    expect(w.registry.at).toBeNull();
  });

  it('lets an idle registry follow the frontier, and payroll only as far as its latest reported month explains', () => {
    const rows = [
      row('registry', 0, '2025-01-02T00:00:00Z', 'edu.registry'),
      row('payroll', 0, '2025-03-09T10:00:00Z'),
      row('enrollment', 0, '2025-06-01T00:00:00Z', 'edu.enrollment'),
    ];
    const w = feedWatermarks(rows, config);
    expect(iso(w.registry.at)).toBe('2025-05-31T23:50:00.000Z');
    expect(iso(w.payroll.at)).toBe('2025-03-09T09:50:00.000Z');
    // Lagging, the registry is held at its own progress.
    expect(iso(feedWatermarks(rows, config, ingest(['edu.registry:0'])).registry.at)).toBe('2025-01-01T23:50:00.000Z');
  });

  it('lets admission follow the frontier outside the season only, up to the next season', () => {
    const enrolled = row('enrollment', 0, '2025-12-31T00:00:00Z', 'edu.enrollment');
    const after = feedWatermarks([row('admission', 0, '2025-09-01T00:00:00Z', 'edu.admission'), enrolled], config);
    expect(iso(after.admission.at)).toBe('2025-12-30T23:50:00.000Z');
    // Quiet since 10 July while the frontier is still in the season: held at its own progress (the
    // admission platform's allowed lateness is 0).
    const inSeason = feedWatermarks([row('admission', 0, '2025-07-10T00:00:00Z', 'edu.admission'), row('payroll', 0, '2025-08-01T00:00:00Z')], config);
    expect(iso(inSeason.admission.at)).toBe('2025-07-10T00:00:00.000Z');
    // Once the season is over, its quiet is explained.
    const seasonOver = feedWatermarks([row('admission', 0, '2025-08-10T00:00:00Z', 'edu.admission'), enrolled], config);
    expect(iso(seasonOver.admission.at)).toBe('2025-12-30T23:50:00.000Z');
    const before = feedWatermarks([row('admission', 0, '2025-03-01T00:00:00Z', 'edu.admission'), row('payroll', 0, '2025-07-01T00:00:00Z')], config);
    expect(iso(before.admission.at)).toBe('2025-06-14T16:00:00.000Z');
  });

  it('ends a season that wraps the new year on its own last day, even when the frontier is already in the next one', () => {
    const wrapping = { ...config, rules: { ...config.rules, seasonStart: '11-30', seasonEnd: '08-31' } };
    expect(iso(seasonEndAfter(t('2026-08-20T00:00:00Z'), wrapping))).toBe('2026-08-31T16:00:00.000Z');
    expect(iso(seasonEndAfter(t('2025-12-05T00:00:00Z'), wrapping))).toBe('2026-08-31T16:00:00.000Z');
    // Last admission on 31 August, the frontier on 30 November, in the next season: the quiet from
    // September is explained up to that season's start (00:00 on 30 November, Shanghai).
    const w = feedWatermarks([row('admission', 0, '2026-08-31T02:00:00Z', 'edu.admission'), row('payroll', 0, '2026-11-30T10:00:00Z')], wrapping);
    expect(iso(w.admission.at)).toBe('2026-11-29T16:00:00.000Z');
  });

  it('uses each feed’s own allowed lateness, and lets an idle feed follow the most complete feed’s watermark', () => {
    // An admission stored a second ago: the admission feed is complete to it (lateness 0), and the
    // quiet registry follows it there, not ten minutes behind (its own lateness applies to its own events).
    const rows = [row('admission', 0, '2025-07-10T02:00:00Z', 'edu.admission'), row('registry', 0, '2025-07-01T00:00:00Z', 'edu.registry')];
    const w = feedWatermarks(rows, config);
    expect(iso(w.admission.at)).toBe('2025-07-10T02:00:00.000Z');
    expect(w.registry).toEqual({
      at: t('2025-07-10T02:00:00Z'),
      progress: t('2025-07-10T02:00:00Z'),
      followsFrontier: true,
      quiet: false,
      lastEventAt: t('2025-07-01T00:00:00Z'),
    });
    expect(iso(effectiveMoment(t('2025-07-10T02:00:05Z'), ['registry', 'admission'], w).at)).toBe('2025-07-10T02:00:00.000Z');
    // A platform that sets a lateness of its own is judged that far back, and so are the feeds following it.
    const late = { ...config, feeds: { ...config.feeds, admission: { allowedLatenessMinutes: 5 } } };
    const lw = feedWatermarks(rows, late);
    expect([iso(lw.admission.at), iso(lw.registry.at)]).toEqual(['2025-07-10T01:55:00.000Z', '2025-07-10T01:55:00.000Z']);
    // Payroll with no month reported does not follow: its lateness applies to its own progress.
    const pw = feedWatermarks([...rows, row('payroll', 0, '2025-07-01T00:00:00Z')], config);
    expect(iso(pw.payroll.at)).toBe('2025-06-30T23:50:00.000Z');
  });

  it('lets funds follow the frontier for its longest normal quiet (100 days)', () => {
    const w = feedWatermarks([row('funds', 0, '2025-01-01T00:00:00Z'), row('registry', 0, '2025-12-31T00:00:00Z', 'edu.registry')], config);
    expect(iso(w.funds.at)).toBe('2025-04-10T23:50:00.000Z');
  });
});

describe('quiet feeds (issue 19)', () => {
  // A registry's last batch hires teachers at 2025-10-01 09:00 (Shanghai), arriving five seconds later.
  const registry = row('registry', 0, '2025-10-01T01:00:00Z', 'edu.registry', '2025-10-01T01:00:05Z');

  it('closes the allowed lateness once nothing of the feed has arrived for that long, with nothing left to read', () => {
    // Nine minutes after the batch arrived: still waiting for stragglers.
    expect(iso(feedWatermarks([registry], config, ingest([], t('2025-10-01T01:09:05Z'))).registry.at)).toBe('2025-10-01T00:50:00.000Z');
    // Ten minutes: complete up to its own last event, and (every feed quiet) on with the clock.
    const w = feedWatermarks([registry], config, ingest([], t('2025-10-01T01:10:05Z')));
    expect(w.registry).toMatchObject({ quiet: true, lastEventAt: t('2025-10-01T01:00:00Z') });
    expect(iso(w.registry.at)).toBe('2025-10-01T01:00:05.000Z');
    // Weeks later, with nothing left to read: complete up to the clock minus its lateness.
    expect(iso(feedWatermarks([registry], config, ingest([], t('2025-11-04T16:00:00Z'))).registry.at)).toBe('2025-11-04T15:50:00.000Z');
  });

  it('keeps the lateness while a partition lags, or while the partitions’ ends could not be read', () => {
    const later = t('2025-11-04T16:00:00Z');
    expect(iso(feedWatermarks([registry], config, ingest(['edu.registry:0'], later)).registry.at)).toBe('2025-10-01T00:50:00.000Z');
    expect(feedWatermarks([registry], config, ingest([], later, false)).registry.quiet).toBe(false);
    expect(iso(feedWatermarks([registry], config).registry.at)).toBe('2025-10-01T00:50:00.000Z');
    // A partition of another feed still lagging: the registry is complete to its own last event, the
    // clock is no frontier (the lagging topic may hold what the others follow).
    const admission = row('admission', 0, '2025-09-20T00:00:00Z', 'edu.admission', '2025-11-04T15:59:59Z');
    const w = feedWatermarks([registry, admission], config, ingest(['edu.admission:1'], later));
    expect(iso(w.registry.at)).toBe('2025-10-01T01:00:00.000Z');
  });

  it('judges a month of wages the day after its due day when its payroll run was published on the due day and went quiet', () => {
    // September's wages paid at the end of the due day (10 October, Shanghai), nothing after.
    const payroll = row('payroll', 0, '2025-10-10T16:00:00Z', 'edu.funding', '2025-10-10T16:00:02Z', '2025-09');
    expect(iso(nextPayrollReportDue('2025-09', config) ?? null)).toBe('2025-11-10T16:00:00.000Z');
    // On 12 October with everything read: complete to the clock; September's wages are owed.
    const w = feedWatermarks([registry, payroll], config, ingest([], t('2025-10-11T16:00:00Z')));
    expect(iso(w.payroll.at)).toBe('2025-10-11T15:50:00.000Z');
    expect(iso(effectiveMoment(t('2025-10-11T16:00:00Z'), ['registry', 'payroll'], w).at)).toBe('2025-10-11T15:50:00.000Z');
    // Never past the moment October's wages fall due, which its report has not reached.
    const december = feedWatermarks([registry, payroll], config, ingest([], t('2025-12-01T00:00:00Z')));
    expect(iso(december.payroll.at)).toBe('2025-11-10T15:59:59.999Z');
    // Events arriving meanwhile (not quiet): it follows the most complete feed, within the same bound.
    const busy = row('enrollment', 0, '2025-10-20T00:00:00Z', 'edu.enrollment', '2025-12-01T00:00:00Z');
    expect(iso(feedWatermarks([payroll, busy], config, ingest([], t('2025-12-01T00:00:00Z'))).payroll.at)).toBe('2025-10-19T23:50:00.000Z');
  });

  it('holds a stale feed at its maxQuietDays: beyond it the quiet is DQ-STALE-FEED’s, not the calendar’s', () => {
    // August's run (period 2025-08) was the last: the next report was due by 10 October; 35 days after
    // its last event the feed is stale, and its rules judge no further.
    const payroll = row('payroll', 0, '2025-09-01T00:00:00Z', 'edu.funding', '2025-09-01T00:00:00Z', '2025-08');
    const w = feedWatermarks([registry, payroll], config, ingest([], t('2025-12-01T00:00:00Z')));
    expect(iso(w.payroll.at)).toBe('2025-10-06T00:00:00.000Z');
    const onTime = row('payroll', 0, '2025-10-09T00:00:00Z', 'edu.funding', '2025-10-09T00:00:00Z', '2025-08');
    expect(iso(feedWatermarks([registry, onTime], config, ingest([], t('2025-12-01T00:00:00Z'))).payroll.at)).toBe('2025-10-10T15:59:59.999Z');
  });
});

describe('effectiveMoment', () => {
  const w = feedWatermarks([row('payroll', 0, '2025-03-09T10:00:00Z'), row('registry', 0, '2025-06-01T00:00:00Z', 'edu.registry')], config);

  it('is the earliest of the requested moment and the feeds watermarks, naming the feed that held it back', () => {
    expect(effectiveMoment(t('2025-06-01T00:00:00Z'), ['registry', 'payroll'], w)).toMatchObject({
      at: t('2025-03-09T09:50:00Z'),
      heldBy: 'payroll',
      empty: [],
    });
    expect(effectiveMoment(t('2025-02-01T00:00:00Z'), ['registry', 'payroll'], w)).toMatchObject({ at: t('2025-02-01T00:00:00Z'), heldBy: null });
  });

  it('ignores the watermarks for an uncapped rule and reports empty feeds', () => {
    expect(effectiveMoment(t('2025-06-01T00:00:00Z'), ['payroll', 'funds'], w, false)).toEqual({
      at: t('2025-06-01T00:00:00Z'),
      heldBy: null,
      empty: ['funds'],
    });
  });

  it('never falls below the moment a rule already judged (notBefore), nor past the moment asked for', () => {
    const fellBack = { at: t('2025-07-05T01:00:00Z'), heldBy: 'registry' as const, empty: [] };
    const judged = t('2025-07-12T04:00:00Z');
    expect(notBefore(fellBack, judged, t('2025-12-31T00:00:00Z'))).toEqual({ ...fellBack, at: judged });
    expect(notBefore(fellBack, judged, t('2025-07-08T00:00:00Z')).at).toBe(t('2025-07-08T00:00:00Z'));
    expect(notBefore(fellBack, undefined, t('2025-12-31T00:00:00Z'))).toBe(fellBack);
    const ahead = { ...fellBack, at: t('2025-07-13T00:00:00Z') };
    expect(notBefore(ahead, judged, t('2025-12-31T00:00:00Z'))).toBe(ahead);
  });
});

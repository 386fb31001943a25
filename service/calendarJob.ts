/**
 * The holiday-calendar check of `edumon run`: at start and every day at 00:05 Asia/Shanghai (the
 * horizon moves with the date), DQ-CALENDAR-STALE is opened, kept or resolved
 * (alerts/notify/calendarStale.ts) and, while the calendar falls short, a warning is logged naming
 * the first uncovered day and the key to fill. The notification round mails the alert to the data
 * team like any other (service/ruleSweeps.ts).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { CALENDAR_HORIZON_DAYS, CALENDAR_PACKAGE } from '../alerts/notify/calendar.ts';
import { CALENDAR_CONFIG_KEY, writeCalendarAlert } from '../alerts/notify/calendarStale.ts';
import type { Clock } from '../core/clock.ts';
import type { Config } from '../core/config.ts';
import { inTransaction } from '../core/db.ts';
import { messageOf } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { Scheduler } from './scheduler.ts';

/** When the daily check runs (node-cron, Asia/Shanghai): just after midnight, when the horizon moves. */
export const CALENDAR_CHECK_CRON = '0 5 0 * * *';

/**
 * Runs the check once now and schedules it daily on `scheduler`. `exclusive` runs a write on a
 * connection in turn with the rule sweeps (RuleSweeps.exclusive). A failed check is logged, never
 * thrown. Returns the first check's completion and a stop.
 */
export function startCalendarJob(opts: {
  exclusive: <T>(fn: (conn: DuckDBConnection) => Promise<T>) => Promise<T>;
  config: Config;
  log: Logger;
  clock: Clock;
  scheduler: Scheduler;
}): { first: Promise<void>; stop(): Promise<void> } {
  const { config, log } = opts;
  const check = async () => {
    const now = opts.clock();
    const { gap, transitions } = await opts.exclusive((conn) => inTransaction(conn, () => writeCalendarAlert(conn, config.notify, now)));
    if (gap)
      log.warn(
        `节假日日历未覆盖未来 ${CALENDAR_HORIZON_DAYS} 天：${gap.firstUncoveredDay} 起的节假日未知，请在 ${CALENDAR_CONFIG_KEY} 中按国务院办公厅通知补充该年放假与调休 / ` +
          `the holiday calendar does not cover the next ${CALENDAR_HORIZON_DAYS} days: fill ${CALENDAR_CONFIG_KEY} with that year's holidays and make-up workdays`,
        { first_uncovered_day: gap.firstUncoveredDay, config_key: CALENDAR_CONFIG_KEY, calendar: CALENDAR_PACKAGE },
      );
    else if (transitions.some((t) => t.kind === 'resolve'))
      log.info(`节假日日历已覆盖未来 ${CALENDAR_HORIZON_DAYS} 天 / the holiday calendar covers the next ${CALENDAR_HORIZON_DAYS} days again`);
  };
  const first = check().catch((err) => log.error('holiday calendar check failed', { error: messageOf(err) }));
  const job = opts.scheduler.add({ name: 'calendar-check', cron: CALENDAR_CHECK_CRON, overlap: false, run: check });
  return {
    first,
    async stop() {
      await job.stop();
      await first;
    },
  };
}

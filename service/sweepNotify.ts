/**
 * Notification as the rule runner sees it (service/ruleSweeps.ts SweepNotify): each sweep's step
 * writes its emails to the outbox in the sweep's transaction; a round every 10 s covers what falls
 * due between sweeps; either wakes the sender once committed. Without any contact configured,
 * nothing is composed at all.
 */
import { notifyRound } from '../alerts/notify/notifyRound.ts';
import { type Clock, wallClock } from '../core/clock.ts';
import type { Config } from '../core/config.ts';
import { inTransaction } from '../core/db.ts';
import type { SweepNotify } from './ruleSweeps.ts';

/** Whether the configuration names anyone to tell. */
export function hasContacts(notify: Config['notify']): boolean {
  return Object.values(notify.contacts).some((list) => list.length > 0) || notify.dataTeam.length > 0 || notify.escalation.length > 0;
}

/**
 * The runner's notification hooks, or undefined when no contact is configured; `wake` wakes the
 * sender. A sweep's emails are dated by `clock`, the service's (a test's controlled one included),
 * as the rounds' are: reminders count renotifyHours from that date against the same clock.
 */
export function sweepNotify(config: Config, wake: () => void, clock: Clock = wallClock): SweepNotify | undefined {
  if (!hasContacts(config.notify)) return undefined;
  return {
    step: (rules) => async (conn) => {
      await notifyRound(conn, config, rules, new Date(clock()));
    },
    round: async (conn, now) => (await inTransaction(conn, () => notifyRound(conn, config, null, now))).emails > 0,
    committed: wake,
  };
}

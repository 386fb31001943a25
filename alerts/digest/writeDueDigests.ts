/**
 * Writes the weekly digests that are due and not yet in the outbox: the service runs it every ten
 * minutes and at start (so a week missed while it was down is caught up), `edumon digest --send`
 * on demand. Exactly once per week and recipient: the outbox id is the week and the contact, and a
 * row already there is left alone (alerts/notify/outbox.ts writeOutbox).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Config } from '../../core/config.ts';
import { inTransaction } from '../../core/db.ts';
import { existingOutboxIds, writeOutbox } from '../notify/outbox.ts';
import { digestOutboxRows, digestRecipients, recipientOutboxId } from './digestEmails.ts';
import type { IsoWeek } from './model.ts';
import { dueDigestWeek } from './sendDay.ts';

/** What a call wrote: the week, and how many digests (0: all already there, or nobody to send to). */
export interface DigestsWritten {
  week: IsoWeek;
  written: number;
  alreadyThere: number;
}

/**
 * Writes to the outbox the digests of `week` (default: the latest due at `now`, alerts/digest/
 * sendDay.ts) for every recipient that has none yet. Composes only those; the figures are computed
 * only if one is missing.
 */
export async function writeDueDigests(conn: DuckDBConnection, config: Config, now: Date, week?: IsoWeek): Promise<DigestsWritten> {
  const due = week ?? dueDigestWeek(now.getTime(), config.notify.calendarOverrides);
  const recipients = digestRecipients(config.notify);
  const there = await existingOutboxIds(
    conn,
    recipients.map((r) => recipientOutboxId(due, r)),
  );
  const missing = recipients.filter((r) => !there.has(recipientOutboxId(due, r)));
  if (!missing.length) return { week: due, written: 0, alreadyThere: there.size };
  const rows = await digestOutboxRows(conn, config, due, missing, now);
  await inTransaction(conn, () => writeOutbox(conn, rows));
  return { week: due, written: rows.length, alreadyThere: there.size };
}

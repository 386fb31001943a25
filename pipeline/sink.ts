/**
 * Writes batches to the warehouse: every event, rejection and the next offset of each
 * topic-partition in ONE transaction, so the warehouse is always consistent with the offsets it
 * stores. Events go through the appender into per-connection temp staging tables, then
 * `insert or ignore` into their table, so a redelivered event_id is stored once. The same
 * transaction raises each feed's progress from the partition (feed_progress: the greatest
 * occurred_at written, never lowered, so a replay from the earliest offset leaves it where it was;
 * for payroll also the latest month reported) and records when the feed's events last arrived (the
 * sink's clock), from which the rules know a quiet feed (alerts/feedWatermarks.ts).
 */
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { appendStaged, appendValues } from '../core/appendStaged.ts';
import { type Clock, wallClock } from '../core/clock.ts';
import { inTransaction } from '../core/db.ts';
import { type EventType, feedOf } from '../domain/contract.ts';
import { eventTables, tableOf } from '../domain/eventTables.ts';
import type { StoredEvent } from '../ingest/pseudonymize.ts';

export interface Rejection {
  offset: bigint;
  reason: string;
  sha256: string;
  bytes: number;
}

export interface PartitionBatch {
  topic: string;
  partition: number;
  /** Offset of the first message not yet in the warehouse after this batch. */
  nextOffset: bigint;
  events: StoredEvent[];
  rejections: Rejection[];
  /** Events of the batch already stored on their own (isolateRefused): only their feed progress is written. */
  storedAlready?: StoredEvent[];
  /** The offset each event came from (parallel to `events`): needed to reject one the warehouse refuses. */
  eventOffsets?: bigint[];
  /**
   * Turns events the warehouse refused into rejections, forwarding their original messages to the
   * DLQ first (as decode rejections are). Without it a refused event fails the write.
   */
  reject?: (refused: Array<{ offset: bigint; reason: string }>) => Promise<Rejection[]>;
}

export interface WriteResult {
  stored: number;
  duplicates: number;
  rejected: number;
}

type Append = (a: DuckDBAppender, v: unknown) => void;
interface Column {
  name: string;
  append: Append;
}
interface TablePlan {
  columns: Column[];
  /** insert or ignore ... select, casting staged text to timestamps and dates. */
  insertSql: string;
}

export const tpKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;
/** The topic and partition of a tpKey. */
export const fromTpKey = (key: string): { topic: string; partition: number } => {
  const at = key.lastIndexOf('\u0000');
  return { topic: key.slice(0, at), partition: Number(key.slice(at + 1)) };
};

/**
 * Timestamps and dates are staged as their contract text and cast in SQL: DuckDB's cast honours
 * the offset, while the appender's implicit text cast would silently drop it.
 */
const stagedAsText = new Set(['TIMESTAMP WITH TIME ZONE', 'DATE']);

function appenderFor(dataType: string): Append {
  if (dataType === 'VARCHAR') return (a, v) => a.appendVarchar(String(v));
  if (dataType === 'BOOLEAN') return (a, v) => a.appendBoolean(v as boolean);
  if (/^(TINYINT|SMALLINT|INTEGER)$/.test(dataType)) return (a, v) => a.appendInteger(v as number);
  if (dataType === 'BIGINT') return (a, v) => a.appendBigInt(BigInt(v as number));
  // DOUBLE, and DECIMAL(p,s): the appender rounds a double to the column's scale; validation
  // already rejected amounts with more than 2 decimals.
  if (dataType === 'DOUBLE' || dataType.startsWith('DECIMAL')) return (a, v) => a.appendDouble(v as number);
  throw new Error(`sink: no appender for column type ${dataType}`);
}

export class Sink {
  private constructor(
    private readonly conn: DuckDBConnection,
    private readonly plans: Map<string, TablePlan>,
    private readonly failpoint: (() => void) | undefined,
    private readonly clock: Clock,
  ) {}

  /**
   * Prepares staging tables on this connection (the sink owns it from now on). `failpoint`, for
   * fault-injection tests only, runs inside every write's transaction before it commits and may
   * throw to make that write fail. `clock` (the wall clock by default) stamps when a feed's events
   * arrived (feed_progress.updated_at).
   */
  static async open(conn: DuckDBConnection, opts: { failpoint?: () => void; clock?: Clock } = {}): Promise<Sink> {
    const plans = new Map<string, TablePlan>();
    for (const table of eventTables) {
      const rows = (
        await conn.runAndReadAll(
          `select column_name, data_type from information_schema.columns
           where table_catalog = current_database() and table_schema = 'main' and table_name = $1 and column_name <> 'ingested_at'
           order by ordinal_position`,
          [table],
        )
      ).getRows();
      const cols = rows.map(([n, t]) => ({ name: String(n), type: String(t) }));
      const q = (n: string) => `"${n}"`;
      const stagedType = (t: string) => (stagedAsText.has(t) ? 'VARCHAR' : t);
      await conn.run(`create or replace temp table stg_${table} (${cols.map((c) => `${q(c.name)} ${stagedType(c.type)}`).join(', ')})`);
      const select = cols.map((c) => (stagedAsText.has(c.type) ? `${q(c.name)}::${c.type === 'DATE' ? 'date' : 'timestamptz'}` : q(c.name)));
      plans.set(table, {
        columns: cols.map((c) => ({ name: c.name, append: stagedAsText.has(c.type) ? appenderFor('VARCHAR') : appenderFor(c.type) })),
        insertSql: `insert or ignore into main.${table} (${cols.map((c) => q(c.name)).join(', ')}, ingested_at)
          select ${select.join(', ')}, now() from temp.stg_${table}`,
      });
    }
    await conn.run(`create or replace temp table stg_rejections as select * exclude (rejected_at) from main.rejections limit 0`);
    return new Sink(conn, plans, opts.failpoint, opts.clock ?? wallClock);
  }

  /** Next offset to read per topic-partition, as committed in the warehouse. */
  async loadOffsets(): Promise<Map<string, bigint>> {
    const rows = (await this.conn.runAndReadAll(`select topic, "partition", next_offset from ingest_offsets`)).getRows();
    return new Map(rows.map(([t, p, o]) => [tpKey(String(t), Number(p)), BigInt(o as bigint)]));
  }

  /**
   * Writes the batches' events, rejections and next offsets in one transaction. Throws what
   * DuckDB (or the appender) throws; nothing of the batches is then stored.
   */
  async write(batches: PartitionBatch[]): Promise<WriteResult> {
    const { byTable, inBatchDuplicates } = groupByTable(batches.flatMap((b) => b.events));
    return inTransaction(this.conn, async () => {
      const { stored, offered } = await this.insertEvents(byTable);
      this.failpoint?.();
      const rejected = await this.insertRejectionsAndOffsets(batches);
      return { stored, duplicates: inBatchDuplicates + (offered - stored), rejected };
    });
  }

  /**
   * Stores events alone, in one transaction with no offset: used to find the one record of a
   * group that the warehouse refuses. Safe to repeat: event_id dedupes a later redelivery.
   */
  async storeEvents(events: StoredEvent[]): Promise<{ stored: number; duplicates: number }> {
    const { byTable, inBatchDuplicates } = groupByTable(events);
    return inTransaction(this.conn, async () => {
      const { stored, offered } = await this.insertEvents(byTable);
      return { stored, duplicates: inBatchDuplicates + (offered - stored) };
    });
  }

  private async insertEvents(byTable: Map<string, StoredEvent[]>): Promise<{ stored: number; offered: number }> {
    let stored = 0;
    let offered = 0;
    for (const [table, events] of byTable) {
      const plan = this.plans.get(table)!;
      const cols = plan.columns;
      // On failure the caller rolls the transaction back, and the half-filled staging table with it.
      await appendStaged(this.conn, `stg_${table}`, events, (appender, e) => {
        const rec = e as unknown as Record<string, unknown>;
        for (const c of cols) {
          const v = rec[c.name];
          if (v === undefined || v === null) appender.appendNull();
          else c.append(appender, v);
        }
      });
      offered += events.length;
      // On failure the caller's rollback empties the staging table too.
      const res = await this.conn.run(plan.insertSql);
      stored += Number(res.rowsChanged);
      await this.conn.run(`delete from temp.stg_${table}`);
    }
    return { stored, offered };
  }

  private async insertRejectionsAndOffsets(batches: PartitionBatch[]): Promise<number> {
    let rejected = 0;
    for (const b of batches) {
      if (b.rejections.length > 0) {
        await appendStaged(this.conn, 'stg_rejections', b.rejections, (appender, r) =>
          appendValues(appender, [b.topic, b.partition, r.offset, r.reason, r.sha256, r.bytes]),
        );
        const res = await this.conn.run(`insert or ignore into main.rejections by name select *, now() as rejected_at from temp.stg_rejections`);
        rejected += Number(res.rowsChanged);
        await this.conn.run(`delete from temp.stg_rejections`);
      }
      await this.conn.run(`insert or replace into ingest_offsets values ($1, $2, $3, now())`, [b.topic, b.partition, b.nextOffset]);
      const arrived = new Date(this.clock()).toISOString();
      for (const [feed, max] of feedMaxima(b.storedAlready ? [...b.events, ...b.storedAlready] : b.events)) {
        await this.conn.run(
          `insert into feed_progress (feed, topic, "partition", max_occurred_at, updated_at, max_period) values ($1, $2, $3, $4::timestamptz, $5::timestamptz, $6::varchar)
           on conflict do update set max_occurred_at = greatest(feed_progress.max_occurred_at, excluded.max_occurred_at), updated_at = excluded.updated_at,
             max_period = coalesce(greatest(feed_progress.max_period, excluded.max_period), feed_progress.max_period, excluded.max_period)`,
          [feed, b.topic, b.partition, new Date(max.occurredAt).toISOString(), arrived, max.period ?? null],
        );
      }
    }
    return rejected;
  }
}

/**
 * Per feed among a batch's events: the greatest occurred_at (epoch ms) and the latest month
 * (YYYY-MM, compared as text) an event with a `period` names (wages and insurance), if any.
 */
function feedMaxima(events: readonly StoredEvent[]): Map<string, { occurredAt: number; period?: string }> {
  const maxima = new Map<string, { occurredAt: number; period?: string }>();
  for (const e of events) {
    const feed = feedOf[e.type as EventType];
    const t = Date.parse(e.occurred_at);
    if (!feed || !Number.isFinite(t)) continue;
    const m = maxima.get(feed) ?? { occurredAt: t };
    if (t > m.occurredAt) m.occurredAt = t;
    const period = (e as { period?: unknown }).period;
    if (typeof period === 'string' && (m.period === undefined || period > m.period)) m.period = period;
    maxima.set(feed, m);
  }
  return maxima;
}

/** Events by their table, each event_id once (a redelivery within the group counts as a duplicate). */
function groupByTable(events: StoredEvent[]): { byTable: Map<string, StoredEvent[]>; inBatchDuplicates: number } {
  const byTable = new Map<string, StoredEvent[]>();
  const seen = new Set<string>();
  let inBatchDuplicates = 0;
  for (const e of events) {
    if (seen.has(e.event_id)) {
      inBatchDuplicates++;
      continue;
    }
    seen.add(e.event_id);
    const table = tableOf[e.type as EventType];
    let list = byTable.get(table);
    if (!list) {
      list = [];
      byTable.set(table, list);
    }
    list.push(e);
  }
  return { byTable, inBatchDuplicates };
}

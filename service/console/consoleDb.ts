/**
 * The console's connections to the warehouse: a few readers, so fifty officials' pages never queue
 * behind one another for long, and one writer (users, sessions, the audit trail). Each connection
 * runs one request at a time, in turn. Alert actions do not come here: they go through the rule
 * runner (service/ruleSweeps.ts alerts), in turn with the sweeps that write the same rows.
 */
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { connect } from '../../core/db.ts';

export interface ConsoleDb {
  /** Runs `fn` on the least busy reader. */
  read<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T>;
  /** Runs `fn` on the writer, in turn with every other write. */
  write<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T>;
  close(): void;
}

/** One connection and the queue in front of it. */
function lane(conn: DuckDBConnection) {
  let tail: Promise<unknown> = Promise.resolve();
  let waiting = 0;
  return {
    conn,
    get waiting() {
      return waiting;
    },
    run<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
      waiting++;
      const run = tail.then(() => fn(conn)).finally(() => waiting--);
      tail = run.catch(() => undefined);
      return run;
    },
  };
}

/** Opens `readers` reading connections and one writing connection on `instance`. */
export async function openConsoleDb(instance: DuckDBInstance, readers = 3): Promise<ConsoleDb> {
  const readLanes = await Promise.all(Array.from({ length: readers }, async () => lane(await connect(instance))));
  const writer = lane(await connect(instance));
  return {
    read: (fn) => readLanes.reduce((a, b) => (b.waiting < a.waiting ? b : a)).run(fn),
    write: (fn) => writer.run(fn),
    close() {
      for (const l of [...readLanes, writer]) l.conn.closeSync();
    },
  };
}

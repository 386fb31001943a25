/**
 * What a failed warehouse write means. A data error is about one record: the same write fails the
 * same way every time, so the record is isolated and rejected. Anything else (out of memory, disk,
 * I/O) is about the warehouse: the write is retried, and if it keeps failing ingestion stops with
 * nothing written past it.
 */

/** DuckDB's error classes that a value of the written rows causes, and the appender's own range errors. */
const DATA_ERROR = /^(Conversion|Constraint|Invalid Input|Out of Range|Mismatch Type) Error|^number out of \w+ range|^value out of range/i;

/** Whether a write failed because of the data it held (see the module doc). */
export function isDataError(err: unknown): boolean {
  return err instanceof Error && DATA_ERROR.test(err.message);
}

/** The first line of a write error, capped: DuckDB appends the statement and a caret after it. */
export function writeErrorLine(err: unknown, max = 200): string {
  const msg = err instanceof Error ? err.message : String(err);
  const line = msg.split('\n', 1)[0]!.trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

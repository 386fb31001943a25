/**
 * Fault injection for tests (config.failpoints, refused outside EDUMON_ENV=test): a failpoint is a
 * function the sink calls inside each write's transaction, which throws to make that write fail.
 */

/**
 * From `after=N[,times=M]`: the first N writes pass, the next M (default: every later one) fail
 * with an I/O error, the kind of failure a write retries and never rejects a record for.
 */
export function sinkWriteFailpoint(spec: string | undefined): (() => void) | undefined {
  if (!spec) return undefined;
  const after = Number(/after=(\d+)/.exec(spec)?.[1] ?? 0);
  const times = Number(/times=(\d+)/.exec(spec)?.[1] ?? Infinity);
  let writes = 0;
  return () => {
    const n = writes++;
    if (n >= after && n < after + times) throw new Error(`IO Error: injected failure of warehouse write ${n + 1} (failpoints.sinkWrite=${spec})`);
  };
}

/**
 * From `after=N`: the process kills itself (SIGKILL, as a power cut or the OOM killer would) once
 * an export has written N files of a snapshot, to test that a crash mid-export leaves no half
 * snapshot visible (pipeline/snapshot.ts).
 */
export function exportCrashFailpoint(spec: string | undefined): ((written: number) => void) | undefined {
  if (!spec) return undefined;
  const after = Number(/after=(\d+)/.exec(spec)?.[1] ?? 0);
  return (written) => {
    if (written >= after) process.kill(process.pid, 'SIGKILL');
  };
}

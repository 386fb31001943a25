/**
 * Fault injection for tests (config.failpoints.dailySweepDelay, refused outside EDUMON_ENV=test):
 * a sweep step that keeps each daily sweep's write transaction open, as a run applying a great
 * many alerts would, so a test can see that season ticks go on meanwhile.
 */
import type { SweepStep } from '../alerts/applyRules.ts';
import { SweepStopped } from '../alerts/runRules.ts';

/** From `ms=N`: a step that waits N ms (a stop cuts it short, rolling the sweep back); undefined without a spec. */
export function dailySweepDelay(spec: string | undefined, signal: AbortSignal): SweepStep | undefined {
  if (!spec) return undefined;
  const ms = Number(/ms=(\d+)/.exec(spec)?.[1] ?? 0);
  return () =>
    new Promise<void>((resolve, reject) => {
      if (signal.aborted) return reject(new SweepStopped());
      const onAbort = () => {
        clearTimeout(timer);
        reject(new SweepStopped());
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });
}

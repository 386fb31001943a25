import type { Command } from '../../core/cli.ts';
import { EdumonError } from '../../core/errors.ts';

export const run: Command = {
  name: 'run',
  summary: 'Consume the event topics into the warehouse (the edumon service)',
  usage: 'run [--until-idle]',
  description:
    'Migrates the warehouse, then consumes edu.registry, edu.admission, edu.enrollment and edu.funding\n' +
    'exactly once into it. SIGTERM or Ctrl-C finishes the batch in flight, commits and exits 0.\n' +
    'While it runs, `edumon query` goes through it.',
  options: {
    'until-idle': { type: 'boolean', help: 'stop (exit 0) once every partition is stored up to its end' },
  },
  async run(ctx) {
    const log = ctx.log();
    // Listening before the service starts: a SIGTERM during start-up (the consumer already holds
    // partitions) stops it as soon as it is up, never killing it between a fetch and its commit.
    let signal: string | undefined;
    let onSignal: (sig: string) => void = (sig) => {
      signal ??= sig;
    };
    process.once('SIGTERM', () => onSignal('SIGTERM'));
    process.once('SIGINT', () => onSignal('SIGINT'));
    // Imported here, so that `edumon run --help` or a usage error does not load the whole service.
    const { startService } = await import('../../service/run.ts');
    const service = await startService(ctx.config(), log);
    let failure: Error | undefined;
    const done = new Promise<void>((resolve) => {
      service.failure.catch((err: Error) => {
        failure = err;
        resolve();
      });
      let signalled = false;
      onSignal = (sig: string) => {
        if (signalled) return;
        signalled = true;
        log.info(`${sig}: finishing the batch in flight`);
        resolve();
      };
      if (signal) onSignal(signal);
      if (ctx.values['until-idle']) {
        service.waitUntilIdle().then(
          () => {
            log.info('caught up with every partition');
            resolve();
          },
          // Stopped first: the failure or the signal above says why.
          () => resolve(),
        );
      }
    });
    await done;
    const stopped = await Promise.race([service.stop().then(() => true), new Promise<false>((r) => setTimeout(() => r(false), STOP_TIMEOUT_MS).unref())]);
    if (!stopped) {
      log.error('the service did not stop in time; exiting anyway (the warehouse keeps only committed batches)', { seconds: STOP_TIMEOUT_MS / 1000 });
    }
    const code = failure ? (failure instanceof EdumonError ? failure.exitCode : 1) : stopped ? 0 : 1;
    if (failure) process.stderr.write(`edumon: ${failure.message}\n`);
    else {
      const s = service.stats;
      ctx.out(`stored ${s.stored} events, ${s.duplicates} duplicates skipped, ${s.rejected} rejected`);
    }
    // A backfill or a stopped service must end now: a client library's timer (a Kafka retry, a
    // reconnect) must not keep the process, and with it the warehouse lock, alive.
    process.exit(code);
  },
};

/** Longest a stop may take: the batch in flight is written, then every connection closed. */
const STOP_TIMEOUT_MS = 30_000;

/** Makes sure a Kafka broker answers: starts the project's local one (infra/kafka/up.sh) if none does. */
import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { EdumonError } from '../../core/errors.ts';
import { PROJECT_ROOT } from '../../core/projectRoot.ts';

const reachable = (hostPort: string) =>
  new Promise<boolean>((resolve) => {
    const [host, port] = hostPort.split(':') as [string, string];
    const s = connect(Number(port), host);
    s.setTimeout(2000);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });

/** Resolves once the first broker accepts connections; only a local default broker is started here. */
export async function ensureBroker(brokers: string[]): Promise<'running' | 'started'> {
  const first = brokers[0]!;
  if (await reachable(first)) return 'running';
  if (first !== '127.0.0.1:9092' && first !== 'localhost:9092') {
    throw new EdumonError(`no Kafka broker answers at ${first}; start it, or unset EDUMON_KAFKA_BROKERS to use the local one`);
  }
  const script = join(PROJECT_ROOT, 'infra', 'kafka', 'up.sh');
  const r = spawnSync('bash', [script], { stdio: ['ignore', 2, 2] });
  if (r.status !== 0 || !(await reachable(first)))
    throw new EdumonError(`could not start the local Kafka broker (${script} exited ${r.status}); see its output above`);
  return 'started';
}

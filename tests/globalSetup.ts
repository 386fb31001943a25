/**
 * Before the integration tests (not the unit tests): builds the CLI they spawn unless the build is
 * up to date (so no test runs a stale one, and no two spawned commands rebuild it at once), and
 * brings the local Kafka broker up, and down again only if it started it.
 */
import { execFileSync } from 'node:child_process';

const port = async (p: number) => {
  const { connect } = await import('node:net');
  return new Promise<boolean>((resolve) => {
    const s = connect(p, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
};

export default async function setup() {
  execFileSync(process.execPath, ['infra/build.mjs'], { stdio: 'inherit' });
  const wasUp = await port(9092);
  if (!wasUp) execFileSync('bash', ['infra/kafka/up.sh'], { stdio: 'inherit' });
  return () => {
    if (!wasUp) execFileSync('bash', ['infra/kafka/down.sh'], { stdio: 'inherit' });
  };
}

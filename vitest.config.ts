import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The longest integration files (half a minute or more each: tests/integration/, and the console's
 * browser test, tests/e2e/console), longest first.
 * Started first, the workers finish together: vitest orders files by their last durations,
 * which a fresh clone has none of, and then by size, which would leave a long small file (a
 * two-minute live replay) to run alone at the end.
 */
const LONGEST_FIRST = [
  'hostileQueries',
  'liveReplay',
  'exactlyOnce',
  'e2e/console',
  'brokerRestart',
  'quietFeeds',
  'rulesTruth',
  'writeFailures',
  'simulate',
  'cliOutput',
  'digestYear',
  'simulateTruth',
  'compression',
  'cliCommands',
  'digestCli',
  'dlq',
  'staleFeed',
].map((name) => `/tests/${name.includes('/') ? name : `integration/${name}`}.test.ts`);

/** vitest's order, with LONGEST_FIRST's files moved to the front in that order. */
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => {
      const i = LONGEST_FIRST.findIndex((end) => f.moduleId.endsWith(end));
      return i < 0 ? LONGEST_FIRST.length : i;
    };
    // Array.prototype.sort is stable: the other files keep vitest's order.
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    // Two files at a time, unit and integration alike: each integration test has its own topics,
    // consumer group, warehouse and ports (tests/helpers/testEnv.ts), so files share only the
    // broker. Three at a time used the CPU a little more (88 % of both cores against 82 %) but,
    // with `stress-ng --cpu 2` beside it, three tests that wait on time failed (docs/BENCHMARKS.md).
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    sequence: { sequencer: LongestFirst },
    projects: [
      // No broker, no network: `npm run test:unit` runs only this project, and never the broker setup.
      // Not isolated: one module graph per worker for all unit files, not one per file (isolated,
      // importing took 10 of the project's 34 s, and the CPU 65 s against 39 s; they pass alike).
      { extends: true, test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], isolate: false } },
      // Real Kafka (started by globalSetup if it is not up), SMTP and DuckDB.
      { extends: true, test: { name: 'integration', include: ['tests/integration/**/*.test.ts'], globalSetup: ['tests/globalSetup.ts'] } },
      // The officials' console in headless Chromium (Debian's /usr/bin/chromium), on one real `edumon run`.
      { extends: true, test: { name: 'e2e', include: ['tests/e2e/**/*.test.ts'], globalSetup: ['tests/globalSetup.ts'] } },
    ],
  },
});

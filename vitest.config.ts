import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Two files at a time, unit and integration alike: each integration test has its own topics,
    // consumer group, warehouse and ports (tests/helpers/testEnv.ts), so files share only the
    // broker, and much of their time is spent waiting on it and on the processes they start.
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    projects: [
      // No broker, no network: `npm run test:unit` runs only this project, and never the broker setup.
      { extends: true, test: { name: 'unit', include: ['tests/unit/**/*.test.ts'] } },
      // Real Kafka (started by globalSetup if it is not up), SMTP and DuckDB.
      { extends: true, test: { name: 'integration', include: ['tests/integration/**/*.test.ts'], globalSetup: ['tests/globalSetup.ts'] } },
    ],
  },
});

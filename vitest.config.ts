import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Integration tests share one local broker and restart processes: run files one at a time.
    fileParallelism: false,
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

import { defineConfig } from 'vitest/config';

// Two projects: unit (pure, fast) and integration (real files, SQLite, HTTP, dockerd, D-Bus).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Integration tests start processes and servers; run files one at a time on 2 cores.
          fileParallelism: false,
        },
      },
    ],
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'engine/**/*.test.ts', 'providers/**/*.test.ts', 'cli/**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // Integration suites start real servers; two cores, so keep parallelism modest.
    maxWorkers: 2,
    // Starts the shared Samba AD DC only when a *samba*/*.ad.* test file is in the run.
    globalSetup: ['test/setup/samba.global.ts'],
  },
});

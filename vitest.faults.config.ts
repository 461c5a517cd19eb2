import { defineConfig } from 'vitest/config';

// `npm run test:faults`: the full fault suite (test/faults/), one file at a time, so the
// timings of failure detection are not disturbed by other test files on a small machine.
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts', 'test/partition-conflict.test.ts'],
    pool: 'forks',
    testTimeout: 300_000,
    hookTimeout: 60_000,
    maxWorkers: 1,
    fileParallelism: false,
  },
});

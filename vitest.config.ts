import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // fast-check: random inputs locally, one seed per commit in CI (test/support/fast-check-seed.ts)
    setupFiles: ['test/support/fast-check-seed.ts'],
  },
});

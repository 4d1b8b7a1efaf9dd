import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // vitest's default is one worker on a 2-core machine (cores - 1); the oracle files spend
    // most of their time waiting on postgres, psql and openssl, each file on a cluster and
    // port of its own, so two workers halve the wall time without sharing anything
    maxWorkers: 2,
    // fast-check: random inputs locally, one seed per commit in CI (test/support/fast-check-seed.ts)
    setupFiles: ['test/support/fast-check-seed.ts'],
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // HANDSHAKE_GUARD_CACHE_DIR → a temp directory; fails the run if ~/.cache was written.
    globalSetup: ['./test/setup/cache-dir.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});

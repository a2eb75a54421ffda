import { defineConfig } from 'vitest/config';

/** Browser tests: Debian's Chromium through playwright-core against the real server (see global-setup.ts). */
export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.e2e.test.ts'],
    globalSetup: ['tests/e2e/global-setup.ts'],
    // One server, one browser per file; files run one after another so they do not fight over the demo data.
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 240_000,
    // A page under CI load can take seconds to render; a poll that gives up after the default 1 s fails for nothing.
    expect: { poll: { timeout: 15_000 } },
  },
});

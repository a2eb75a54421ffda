import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/**/src/**/*.test.ts', 'apps/api/src/**/*.test.ts', 'apps/admin/src/**/*.test.ts', 'tests/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'tests/e2e/**'],
    globalSetup: ['tests/setup/global-db.ts'],
    // Each PGlite copy is a WASM PostgreSQL of its own; forks keep their memory apart.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});

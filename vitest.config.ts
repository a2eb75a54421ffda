import { defineConfig } from 'vitest/config';

const CONTENTION = '**/*.concurrency.int.test.ts';

export default defineConfig({
  test: {
    globalSetup: ['tests/setup/global-db.ts'],
    // Each PGlite copy is a WASM PostgreSQL of its own; forks keep their memory apart.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'suite',
          include: ['packages/**/src/**/*.test.ts', 'apps/api/src/**/*.test.ts', 'apps/admin/src/**/*.test.ts', 'tests/**/*.test.ts', 'scripts/**/*.test.ts'],
          exclude: ['**/node_modules/**', 'tests/e2e/**', CONTENTION],
          sequence: { groupOrder: 0 },
        },
      },
      {
        // Tests that time requests under contention run last and alone: on a 2-core machine another test file
        // running beside them would be measured instead of the locking.
        extends: true,
        test: { name: 'contention', include: [`apps/api/src/${CONTENTION}`], sequence: { groupOrder: 1 }, fileParallelism: false },
      },
    ],
  },
});

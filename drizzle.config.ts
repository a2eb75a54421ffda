import { defineConfig } from 'drizzle-kit';

// Only `drizzle-kit generate` uses this file. Migrations are applied in code (packages/db/src/migrate.ts)
// because drizzle-kit cannot load the btree_gist extension into PGlite.
export default defineConfig({
  dialect: 'postgresql',
  schema: './packages/db/src/schema.ts',
  out: './migrations',
});

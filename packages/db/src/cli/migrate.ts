/**
 * `npm run db:migrate`: applies /migrations to PostgreSQL at DATABASE_URL, or else to the embedded PGlite at
 * DATA_DIR (default .data/pglite, as `npm start` uses), and says which one it touched.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DatabaseHandle, openDatabase } from '../client.ts';
import { migrateDatabase } from '../migrate.ts';

export interface CliDatabase {
  handle: DatabaseHandle;
  /** e.g. "PostgreSQL 127.0.0.1:5432/linli" or "embedded PGlite at .data/pglite"; never a password. */
  description: string;
}

/** The database the CLIs work on, chosen from the environment the same way the API server chooses it. */
export async function openCliDatabase(): Promise<CliDatabase> {
  const url = process.env.DATABASE_URL || undefined;
  if (url) {
    const parsed = new URL(url);
    return { handle: await openDatabase({ url, poolSize: 2 }), description: `PostgreSQL ${parsed.host}${parsed.pathname}` };
  }
  const dataDir = process.env.DATA_DIR || '.data/pglite';
  mkdirSync(dataDir, { recursive: true });
  return { handle: await openDatabase({ dataDir }), description: `embedded PGlite at ${dataDir}` };
}

async function main(): Promise<void> {
  const { handle, description } = await openCliDatabase();
  try {
    const started = performance.now();
    await migrateDatabase(handle);
    console.log(`Migrated ${description} in ${((performance.now() - started) / 1000).toFixed(1)}s`);
  } finally {
    await handle.close();
  }
}

// Run only as a script: the seed CLI imports openCliDatabase from here.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}

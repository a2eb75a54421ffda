import { fileURLToPath } from 'node:url';
import type { PGlite } from '@electric-sql/pglite';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import type pg from 'pg';
import { type ConstructorOptions, PgBoss, fromPglite } from 'pg-boss';
import type { Database, DatabaseHandle } from './client.ts';

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../../migrations', import.meta.url));
/** The schema pg-boss (the job queue that delivers notifications) keeps its tables and functions in. */
export const JOB_QUEUE_SCHEMA = 'pgboss';

/**
 * Applies /migrations in order, then installs or upgrades pg-boss's own schema. Done in code, not by drizzle-kit,
 * because drizzle-kit cannot load btree_gist into PGlite; the migrator records what ran in
 * drizzle.__drizzle_migrations on both databases, pg-boss in pgboss.version.
 */
export async function migrateDatabase(handle: DatabaseHandle): Promise<void> {
  if (handle.kind === 'postgres') {
    await migratePg(handle.db as unknown as NodePgDatabase, { migrationsFolder: MIGRATIONS_FOLDER });
  } else {
    await migratePglite(handle.db as unknown as PgliteDatabase, { migrationsFolder: MIGRATIONS_FOLDER });
  }
  await installJobQueueSchema(handle.db);
}

/** The driver client under a drizzle database: the embedded PGlite, or the node-postgres pool. */
export type DatabaseClient = { kind: 'pglite'; client: PGlite } | { kind: 'postgres'; pool: pg.Pool };

export function databaseClientOf(db: Database): DatabaseClient {
  const client = (db as unknown as { $client: unknown }).$client;
  if (client && typeof (client as pg.Pool).totalCount === 'number') return { kind: 'postgres', pool: client as pg.Pool };
  if (client && typeof (client as PGlite).dumpDataDir === 'function') return { kind: 'pglite', client: client as PGlite };
  throw new Error('not a PGlite or node-postgres drizzle database');
}

/**
 * pg-boss options that run its statements on an existing database client: PGlite in-process (its own queries
 * take PGlite's transaction lock, so they never run inside one of the app's transactions), or the app's pool.
 */
export function jobQueueConnectionOf(db: Database): Pick<ConstructorOptions, 'db' | 'backend' | 'schema'> {
  const client = databaseClientOf(db);
  if (client.kind === 'pglite') return { db: fromPglite(client.client), backend: 'pglite', schema: JOB_QUEUE_SCHEMA };
  return {
    db: {
      executeSql: async (text: string, values?: unknown[]) => {
        const result = (await client.pool.query(text, values)) as unknown as pg.QueryResult | pg.QueryResult[];
        // A multi-statement DDL block answers one result per statement.
        return Array.isArray(result) ? { rows: result.flatMap((r) => r.rows) } : result;
      },
    },
    schema: JOB_QUEUE_SCHEMA,
  };
}

async function installJobQueueSchema(db: Database): Promise<void> {
  const boss = new PgBoss({
    ...jobQueueConnectionOf(db),
    migrate: true,
    supervise: false,
    schedule: false,
    registerInstance: false,
    openTelemetry: { enabled: false },
  });
  await boss.start();
  await boss.stop({ graceful: false });
}

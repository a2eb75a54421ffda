/**
 * Starts the real app on this test file's own database (see packages/db/src/testing.ts) for `app.inject()`.
 * One per file: PGlite takes seconds to start.
 */
import { openIsolatedDatabase } from '@linli/db/testing';
import type { Database, DatabaseHandle } from '@linli/db';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { inject } from 'vitest';
import { buildApp } from '../app.ts';
import { loadConfig } from '../config.ts';

export interface TestApp {
  app: FastifyInstance;
  db: Database;
  /** The database alone, e.g. to close it under a running app. */
  database: DatabaseHandle;
  /** Moves the app's clock; tests of windows and expiries set it instead of sleeping. */
  setNow(instant: Date | string): void;
  close(): Promise<void>;
}

export async function startTestApp(options: { env?: Record<string, string>; now?: Date | string } = {}): Promise<TestApp> {
  const database = await openIsolatedDatabase(inject('databaseTemplate'));
  let now = options.now ? new Date(options.now) : undefined;
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    AUTH_RATE_LIMIT_PER_MINUTE: '10000',
    SEED_DEMO: 'false',
    ...options.env,
  });
  const app = await buildApp(
    { config, db: database.db, ping: database.ping, now: () => now ?? new Date() },
    { logger: false },
  );
  await app.ready();
  return {
    app,
    db: database.db,
    database,
    setNow: (instant) => {
      now = new Date(instant);
    },
    close: async () => {
      await app.close();
      await database.close();
    },
  };
}

/** The parsed JSON body of an injected response. */
export function bodyOf<T = any>(response: LightMyRequestResponse): T {
  return response.json() as T;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
